using System;
using System.Collections.Generic;
using System.Globalization;

namespace RedisCluster
{
    /// <summary>Thrown for CLUSTER NODES text that does not follow the format Redis writes.</summary>
    public sealed class ClusterNodesFormatException : FormatException
    {
        public ClusterNodesFormatException(int lineNumber, string line, string problem)
            : base($"CLUSTER NODES line {lineNumber} is malformed: {problem}")
        {
            LineNumber = lineNumber;
            Line = line;
            Problem = problem;
        }

        public int LineNumber { get; }

        /// <summary>The line itself, for tests and debugging; never put into messages.</summary>
        public string Line { get; }

        public string Problem { get; }
    }

    /// <summary>
    /// Reads the CLUSTER NODES reply of Redis 7:
    /// id ip:port@cport[,hostname[,aux=value...]] flags master ping-sent pong-recv config-epoch link-state slot...
    /// </summary>
    public static class ClusterNodesParser
    {
        private const int FixedFieldCount = 8;

        public static IReadOnlyList<RedisClusterNode> Parse(string text)
        {
            if (text == null) throw new ArgumentNullException(nameof(text));
            var nodes = new List<RedisClusterNode>();
            var lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].TrimEnd('\r');
                if (line.Trim().Length == 0) continue;
                nodes.Add(ParseLine(line, i + 1));
            }
            return nodes;
        }

        public static RedisClusterNode ParseLine(string line, int lineNumber = 1)
        {
            if (line == null) throw new ArgumentNullException(nameof(line));
            var fields = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < FixedFieldCount)
            {
                throw new ClusterNodesFormatException(lineNumber, line, $"it has {fields.Length} fields, at least {FixedFieldCount} are required.");
            }

            ClusterNodesFormatException Error(string problem) => new ClusterNodesFormatException(lineNumber, line, problem);

            if (!NodeId.TryParse(fields[0], out var nodeId)) throw Error($"'{fields[0]}' is not a 40-character hex node id.");
            ParseAddress(fields[1], Error, out string host, out int port, out int busPort, out string hostname);
            var flags = ParseFlags(fields[2]);
            NodeId? masterId = null;
            if (fields[3] != "-")
            {
                if (!NodeId.TryParse(fields[3], out var master)) throw Error($"master '{fields[3]}' is neither '-' nor a node id.");
                masterId = master;
            }
            long pingSent = ParseNumber(fields[4], "ping-sent", Error);
            long pongReceived = ParseNumber(fields[5], "pong-recv", Error);
            long configEpoch = ParseNumber(fields[6], "config-epoch", Error);
            NodeLinkState linkState;
            switch (fields[7])
            {
                case "connected": linkState = NodeLinkState.Connected; break;
                case "disconnected": linkState = NodeLinkState.Disconnected; break;
                default: throw Error($"link state '{fields[7]}' is neither connected nor disconnected.");
            }

            var slots = new List<SlotRange>();
            var migrating = new List<SlotMigration>();
            var importing = new List<SlotMigration>();
            for (int i = FixedFieldCount; i < fields.Length; i++)
            {
                string field = fields[i];
                if (field.StartsWith("[", StringComparison.Ordinal))
                {
                    ParseOpenSlot(field, Error, migrating, importing);
                    continue;
                }
                if (!SlotRange.TryParse(field, out var range, out var rangeError)) throw Error(rangeError);
                slots.Add(range);
            }

            return new RedisClusterNode(nodeId, host, port, busPort, hostname, flags, fields[2], masterId, pingSent, pongReceived,
                configEpoch, linkState, slots, migrating, importing);
        }

        private static void ParseAddress(string field, Func<string, Exception> error, out string host, out int port, out int busPort, out string hostname)
        {
            // Aux fields (",hostname", ",shard-id=...") follow the address; only the first may be a bare hostname.
            hostname = null;
            string address = field;
            int comma = field.IndexOf(',');
            if (comma >= 0)
            {
                address = field.Substring(0, comma);
                string first = field.Substring(comma + 1).Split(',')[0];
                if (first.Length > 0 && first.IndexOf('=') < 0) hostname = first;
            }
            int at = address.IndexOf('@');
            if (at < 0) throw error($"address '{field}' lacks '@' before the bus port.");
            int colon = address.LastIndexOf(':', at);
            if (colon < 0) throw error($"address '{field}' lacks ':' before the port.");
            host = address.Substring(0, colon);
            if (!int.TryParse(address.Substring(colon + 1, at - colon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
            {
                throw error($"address '{field}' has no valid port.");
            }
            if (!int.TryParse(address.Substring(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out busPort) || busPort > 65535)
            {
                throw error($"address '{field}' has no valid bus port.");
            }
        }

        private static NodeFlags ParseFlags(string field)
        {
            var flags = NodeFlags.None;
            foreach (string flag in field.Split(','))
            {
                switch (flag)
                {
                    case "myself": flags |= NodeFlags.Myself; break;
                    case "master": flags |= NodeFlags.Master; break;
                    case "slave": flags |= NodeFlags.Replica; break;
                    case "fail?": flags |= NodeFlags.PossiblyFailing; break;
                    case "fail": flags |= NodeFlags.Failing; break;
                    case "handshake": flags |= NodeFlags.Handshake; break;
                    case "noaddr": flags |= NodeFlags.NoAddress; break;
                    case "nofailover": flags |= NodeFlags.NoFailover; break;
                    case "noflags": break;
                    // A flag newer than this module stays in RawFlags rather than failing every read.
                    default: break;
                }
            }
            return flags;
        }

        private static long ParseNumber(string field, string name, Func<string, Exception> error)
        {
            if (!long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                throw error($"{name} '{field}' is not a non-negative number.");
            }
            return value;
        }

        private static void ParseOpenSlot(string field, Func<string, Exception> error, List<SlotMigration> migrating, List<SlotMigration> importing)
        {
            // "[slot->-id]" is migrating to id, "[slot-<-id]" importing from id.
            if (!field.EndsWith("]", StringComparison.Ordinal)) throw error($"open slot '{field}' lacks ']'.");
            string body = field.Substring(1, field.Length - 2);
            int arrow;
            bool isMigrating;
            if ((arrow = body.IndexOf("->-", StringComparison.Ordinal)) > 0) isMigrating = true;
            else if ((arrow = body.IndexOf("-<-", StringComparison.Ordinal)) > 0) isMigrating = false;
            else throw error($"open slot '{field}' is neither [slot->-id] nor [slot-<-id].");
            if (!int.TryParse(body.Substring(0, arrow), NumberStyles.None, CultureInfo.InvariantCulture, out int slot) || !HashSlot.IsValid(slot))
            {
                throw error($"open slot '{field}' has no valid slot number.");
            }
            if (!NodeId.TryParse(body.Substring(arrow + 3), out var peer)) throw error($"open slot '{field}' has no valid node id.");
            (isMigrating ? migrating : importing).Add(new SlotMigration(slot, peer, isImporting: !isMigrating));
        }
    }
}
