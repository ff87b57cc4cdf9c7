using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace RedisCluster
{
    /// <summary>
    /// A host's public key as SSH sends it (the wire blob: a length-prefixed key type, then the key's numbers),
    /// which is also what known_hosts holds in base64.
    /// </summary>
    public sealed class SshHostKey
    {
        private readonly byte[] _blob;

        /// <exception cref="FormatException">The blob does not start with a key type.</exception>
        public SshHostKey(byte[] blob)
        {
            _blob = (byte[])(blob ?? throw new ArgumentNullException(nameof(blob))).Clone();
            KeyType = ReadKeyType(_blob) ?? throw new FormatException("An SSH public key starts with its key type.");
        }

        /// <summary>The key type written in the key itself, as known_hosts names it: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa.</summary>
        public string KeyType { get; }

        public string Base64 => Convert.ToBase64String(_blob);

        /// <summary>The fingerprint as OpenSSH prints it: SHA256: and the unpadded base64 of the blob's SHA-256.</summary>
        public string Fingerprint
        {
            get
            {
                using (var sha256 = SHA256.Create())
                {
                    return "SHA256:" + Convert.ToBase64String(sha256.ComputeHash(_blob)).TrimEnd('=');
                }
            }
        }

        public bool SameKeyAs(byte[] blob) => blob != null && _blob.SequenceEqual(blob);

        public override string ToString() => $"{KeyType} {Fingerprint}";

        /// <summary>The first SSH string of a blob (a 32-bit big-endian length, then that many ASCII bytes), or null.</summary>
        internal static string ReadKeyType(byte[] blob)
        {
            if (blob == null || blob.Length < 4) return null;
            long length = ((long)blob[0] << 24) | ((long)blob[1] << 16) | ((long)blob[2] << 8) | blob[3];
            if (length == 0 || length > 256 || 4 + length > blob.Length) return null;
            string type = Encoding.ASCII.GetString(blob, 4, (int)length);
            return type.All(c => c > ' ' && c < 0x7f) ? type : null;
        }
    }
}
