using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    /// <summary>Which host key algorithms to offer a host, and in what order.</summary>
    public static class HostKeyAlgorithms
    {
        private const string CertificateSuffix = "-cert-v01@openssh.com";

        /// <summary>
        /// The algorithms in the client's order, but those whose key type known_hosts already holds for the host
        /// first, as ssh does: a host with both an RSA and an Ed25519 key, known by its RSA key, is then asked
        /// for that one rather than refused as changed. Certificate algorithms are left out: host certificates
        /// are not checked here (@cert-authority vouches for no plain key).
        /// </summary>
        public static IReadOnlyList<string> Arrange(IEnumerable<string> offered, IReadOnlyCollection<string> knownKeyTypes)
        {
            var plain = offered.Where(a => !a.EndsWith(CertificateSuffix, StringComparison.Ordinal)).ToList();
            return plain.Where(a => knownKeyTypes.Contains(KeyTypeOf(a))).Concat(plain.Where(a => !knownKeyTypes.Contains(KeyTypeOf(a)))).ToList();
        }

        /// <summary>The key type an algorithm signs with: RSA keys are "ssh-rsa" under each of their signature algorithms.</summary>
        public static string KeyTypeOf(string algorithm) =>
            algorithm == "rsa-sha2-256" || algorithm == "rsa-sha2-512" ? "ssh-rsa" : algorithm;
    }
}
