using System;
using System.Collections.Generic;
using System.Net;

namespace RedisCluster
{
    /// <summary>Credentials equal by user and password (NetworkCredential compares by reference); none equals none.</summary>
    internal sealed class CredentialComparer : IEqualityComparer<NetworkCredential>
    {
        public static readonly CredentialComparer Instance = new CredentialComparer();

        public bool Equals(NetworkCredential x, NetworkCredential y) =>
            ReferenceEquals(x, y) || (x != null && y != null && string.Equals(x.UserName, y.UserName, StringComparison.Ordinal) && string.Equals(x.Password, y.Password, StringComparison.Ordinal));

        public int GetHashCode(NetworkCredential credential) => credential == null ? 0 : StringComparer.Ordinal.GetHashCode(credential.UserName ?? string.Empty);
    }
}
