using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace RedisCluster
{
    /// <summary>
    /// The RESP2 wire format as <see cref="RespNodeClient"/> speaks it: commands written as arrays of bulk strings,
    /// replies read from a buffer that may hold part of one. Pure, so both directions are tested without a server.
    /// </summary>
    internal static class Resp
    {
        private static readonly byte[] CrLf = { (byte)'\r', (byte)'\n' };

        /// <summary>
        /// Appends one command: every argument a bulk string, byte arrays as they are (keys and DUMP payloads are
        /// binary), text as UTF-8, numbers in invariant digits.
        /// </summary>
        public static void WriteCommand(MemoryStream output, RedisCommand command)
        {
            WriteHeader(output, (byte)'*', command.Arguments.Count + 1);
            WriteBulk(output, Encoding.UTF8.GetBytes(command.Name));
            foreach (var argument in command.Arguments)
            {
                switch (argument)
                {
                    case byte[] bytes:
                        WriteBulk(output, bytes);
                        break;
                    case string text:
                        WriteBulk(output, Encoding.UTF8.GetBytes(text));
                        break;
                    case int number:
                        WriteNumber(output, number);
                        break;
                    case long number:
                        WriteNumber(output, number);
                        break;
                    case null:
                        WriteBulk(output, new byte[0]);
                        break;
                    default:
                        WriteBulk(output, Encoding.UTF8.GetBytes(Convert.ToString(argument, CultureInfo.InvariantCulture)));
                        break;
                }
            }
        }

        private static void WriteBulk(MemoryStream output, byte[] bytes)
        {
            WriteHeader(output, (byte)'$', bytes.Length);
            output.Write(bytes, 0, bytes.Length);
            output.Write(CrLf, 0, 2);
        }

        /// <summary>A number argument as a bulk string of its digits, written straight into the output.</summary>
        private static void WriteNumber(MemoryStream output, long value)
        {
            int length = value < 0 ? 2 : 1;
            for (long rest = value / 10; rest != 0; rest /= 10) length++;
            WriteHeader(output, (byte)'$', length);
            WriteDigits(output, value);
            output.Write(CrLf, 0, 2);
        }

        // Lengths and counts go out with no string made for them: a MIGRATE of a thousand keys has a thousand.
        private static void WriteHeader(MemoryStream output, byte marker, long length)
        {
            output.WriteByte(marker);
            WriteDigits(output, length);
            output.Write(CrLf, 0, 2);
        }

        private static void WriteDigits(MemoryStream output, long value)
        {
            if (value < 0) output.WriteByte((byte)'-');
            long divisor = 1;
            while (value / divisor >= 10 || value / divisor <= -10) divisor *= 10;
            for (; divisor > 0; divisor /= 10) output.WriteByte((byte)('0' + Math.Abs(value / divisor % 10)));
        }

        /// <summary>One reply read whole: a value, or the text of an error reply (anywhere in it).</summary>
        public struct Reply
        {
            public RedisReply Value;
            public string Error;
        }

        /// <summary>
        /// Reads one whole reply from <paramref name="buffer"/> between <paramref name="position"/> and
        /// <paramref name="end"/>. False when the bytes there are only the start of one: nothing is consumed and the
        /// caller reads more. An error reply inside an array makes the whole reply that error.
        /// </summary>
        public static bool TryRead(byte[] buffer, ref int position, int end, out Reply reply)
        {
            int at = position;
            string error = null;
            var value = Read(buffer, ref at, end, ref error, out bool complete);
            if (!complete)
            {
                reply = default;
                return false;
            }
            position = at;
            reply = new Reply { Value = value, Error = error };
            return true;
        }

        private static RedisReply Read(byte[] buffer, ref int at, int end, ref string error, out bool complete)
        {
            complete = false;
            if (at >= end) return null;
            byte marker = buffer[at];
            if (!TryReadLine(buffer, at + 1, end, out int lineEnd)) return null;
            int lineStart = at + 1;
            at = lineEnd + 2;
            switch (marker)
            {
                case (byte)'+':
                    complete = true;
                    return RedisReply.SimpleString(Encoding.UTF8.GetString(buffer, lineStart, lineEnd - lineStart));
                case (byte)'-':
                    complete = true;
                    if (error == null) error = Encoding.UTF8.GetString(buffer, lineStart, lineEnd - lineStart);
                    return RedisReply.Null;
                case (byte)':':
                    complete = true;
                    return RedisReply.FromInteger(ParseInteger(buffer, lineStart, lineEnd));
                case (byte)'$':
                {
                    long length = ParseInteger(buffer, lineStart, lineEnd);
                    if (length < 0)
                    {
                        complete = true;
                        return RedisReply.Null;
                    }
                    if (end - at < length + 2) return null;
                    var bytes = new byte[length];
                    Buffer.BlockCopy(buffer, at, bytes, 0, (int)length);
                    at += (int)length + 2;
                    complete = true;
                    return RedisReply.Bulk(bytes);
                }
                case (byte)'*':
                {
                    long count = ParseInteger(buffer, lineStart, lineEnd);
                    if (count < 0)
                    {
                        complete = true;
                        return RedisReply.Null;
                    }
                    var items = new List<RedisReply>((int)Math.Min(count, 1 << 16));
                    for (long i = 0; i < count; i++)
                    {
                        var item = Read(buffer, ref at, end, ref error, out bool itemComplete);
                        if (!itemComplete) return null;
                        items.Add(item);
                    }
                    complete = true;
                    return RedisReply.FromArray(items);
                }
                default:
                    throw new RedisClusterException(FailureKind.Protocol, "A node answered with bytes that are not RESP.") { ErrorId = "UnexpectedReply" };
            }
        }

        /// <summary>Finds the CR LF that ends a line starting at <paramref name="from"/>; its index is the CR's.</summary>
        private static bool TryReadLine(byte[] buffer, int from, int end, out int lineEnd)
        {
            for (int i = from; i + 1 < end; i++)
            {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n')
                {
                    lineEnd = i;
                    return true;
                }
            }
            lineEnd = -1;
            return false;
        }

        private static long ParseInteger(byte[] buffer, int from, int to)
        {
            bool negative = from < to && buffer[from] == '-';
            long value = 0;
            for (int i = negative ? from + 1 : from; i < to; i++)
            {
                int digit = buffer[i] - '0';
                if (digit < 0 || digit > 9) throw new RedisClusterException(FailureKind.Protocol, "A node answered with a malformed number.") { ErrorId = "UnexpectedReply" };
                value = value * 10 + digit;
            }
            return negative ? -value : value;
        }
    }
}
