using System;
using System.Text;

namespace RedisCluster
{
    /// <summary>Redis Cluster key hashing: CRC16/XMODEM of the key (or its hash tag) modulo 16384.</summary>
    public static class HashSlot
    {
        public const int SlotCount = 16384;
        public const int MaxSlot = SlotCount - 1;

        private static readonly ushort[] Table = BuildTable();

        private static ushort[] BuildTable()
        {
            // CRC16/XMODEM: polynomial 0x1021, initial value 0, no reflection, the variant Redis uses.
            var table = new ushort[256];
            for (int i = 0; i < 256; i++)
            {
                ushort crc = (ushort)(i << 8);
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
                }
                table[i] = crc;
            }
            return table;
        }

        public static ushort Crc16(byte[] data, int offset, int count)
        {
            ushort crc = 0;
            for (int i = offset; i < offset + count; i++)
            {
                crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ data[i]) & 0xFF]);
            }
            return crc;
        }

        public static ushort Crc16(byte[] data) => Crc16(data, 0, data.Length);

        /// <summary>The slot of a key given as raw bytes, which is what the server hashes.</summary>
        public static int Of(byte[] key)
        {
            if (key == null) throw new ArgumentNullException(nameof(key));
            var (start, length) = HashedPart(key);
            return Crc16(key, start, length) & MaxSlot;
        }

        /// <summary>The slot of a string key, hashed as UTF-8 like every Redis client sends it.</summary>
        public static int Of(string key) => Of(Encoding.UTF8.GetBytes(key ?? throw new ArgumentNullException(nameof(key))));

        /// <summary>
        /// The hash tag Redis would hash instead of the whole key, or null when none applies:
        /// the bytes between the first '{' and the first '}' after it, if there is at least one.
        /// </summary>
        public static string HashTagOf(string key)
        {
            if (key == null) throw new ArgumentNullException(nameof(key));
            int open = key.IndexOf('{');
            if (open < 0) return null;
            int close = key.IndexOf('}', open + 1);
            if (close <= open + 1) return null;
            return key.Substring(open + 1, close - open - 1);
        }

        private static (int Start, int Length) HashedPart(byte[] key)
        {
            // Byte-wise like keyHashSlot() in cluster.c: '{' and '}' are single bytes in UTF-8, so this
            // agrees with HashTagOf on the string form.
            int open = Array.IndexOf(key, (byte)'{');
            if (open < 0) return (0, key.Length);
            int close = Array.IndexOf(key, (byte)'}', open + 1);
            if (close < 0 || close == open + 1) return (0, key.Length);
            return (open + 1, close - open - 1);
        }

        public static bool IsValid(int slot) => slot >= 0 && slot <= MaxSlot;
    }
}
