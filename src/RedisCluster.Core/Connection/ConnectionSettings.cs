using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace RedisCluster
{
    /// <summary>How to reach and authenticate to the nodes of one cluster.</summary>
    public sealed class ConnectionSettings
    {
        public const string DefaultUserName = "default";

        public ConnectionSettings(IEnumerable<NodeEndPoint> seeds)
        {
            Seeds = (seeds ?? throw new ArgumentNullException(nameof(seeds))).Distinct().ToList();
            if (Seeds.Count == 0) throw new ArgumentException("At least one endpoint is needed.", nameof(seeds));
        }

        public IReadOnlyList<NodeEndPoint> Seeds { get; }

        /// <summary>
        /// User and password; user "default" (or none) means the plain requirepass. Internal so that no
        /// output object hands the password to Format-List or ConvertTo-Json.
        /// </summary>
        internal NetworkCredential Credential { get; set; }

        public bool UseTls { get; set; }

        /// <summary>A PEM or DER file with the CA that signed the nodes' certificates; null trusts the system store.</summary>
        public string TlsCaCertificatePath { get; set; }

        public X509Certificate2 ClientCertificate { get; set; }

        /// <summary>The name expected in the nodes' certificates when it differs from the host dialled.</summary>
        public string TlsHostName { get; set; }

        public bool SkipCertificateCheck { get; set; }

        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);
        public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(15);

        public string UserName =>
            Credential == null || string.IsNullOrEmpty(Credential.UserName) ? DefaultUserName : Credential.UserName;

        /// <summary>True when the credential names an ACL user rather than requirepass.</summary>
        public bool IsAclUser => !string.Equals(UserName, DefaultUserName, StringComparison.Ordinal);

        public bool HasPassword => Credential != null && Credential.SecurePassword != null && Credential.SecurePassword.Length > 0;

        /// <summary>A description safe for logs: no password, ever.</summary>
        public override string ToString() =>
            $"{(UseTls ? "rediss" : "redis")}://{(HasPassword ? UserName + "@" : string.Empty)}{string.Join(",", Seeds)}";
    }
}
