using System;
using System.IO;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RedisCluster
{
    /// <summary>Accepts a node certificate that chains to a CA the user named instead of the system store.</summary>
    internal static class CertificateAuthority
    {
        public static X509Certificate2 Load(string path)
        {
            try
            {
                return new X509Certificate2(File.ReadAllBytes(path));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is CryptographicException)
            {
                var kind = e is FileNotFoundException || e is DirectoryNotFoundException ? FailureKind.NotFound : FailureKind.InvalidArgument;
                string why = kind == FailureKind.NotFound ? "does not exist" : e is CryptographicException ? "is not a PEM or DER certificate" : "cannot be read";
                throw new RedisClusterException(kind, $"The CA certificate file '{path}' {why}.", inner: e) { ErrorId = "InvalidCaCertificate" };
            }
        }

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
