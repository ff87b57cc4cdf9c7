using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RedisCluster
{
    /// <summary>Accepts a node certificate that chains to a CA the user named instead of the system store.</summary>
    internal static class CertificateAuthority
    {
        public static bool IsSignedBy(X509Certificate certificate, SslPolicyErrors errors, X509Certificate2 authority)
        {
            if (errors == SslPolicyErrors.None) return true;
            if (certificate == null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
            using (var chain = new X509Chain())
            {
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
                chain.ChainPolicy.ExtraStore.Add(authority);
                if (!chain.Build(new X509Certificate2(certificate))) return false;
                // AllowUnknownCertificateAuthority accepts any root: insist the root is the one given.
                var root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
                return root.Thumbprint == authority.Thumbprint &&
                       (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0;
            }
        }
    }
}
