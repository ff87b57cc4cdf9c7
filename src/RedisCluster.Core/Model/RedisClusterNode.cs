using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public enum NodeRole
    {
        Master,
        Replica,
    }

    public enum NodeLinkState
    {
        Connected,
        Disconnected,
    }

    /// <summary>The flags of a CLUSTER NODES line.</summary>
    [Flags]
    public enum NodeFlags
    {
        None = 0,
        Myself = 1,
        Master = 2,
        Replica = 4,
        PossiblyFailing = 8,
        Failing = 16,
        Handshake = 32,
        NoAddress = 64,
        NoFailover = 128,
    }

    /// <summary>A slot in the middle of a move, with the node on the other side of it.</summary>
    public sealed class SlotMigration
    {
        public SlotMigration(int slot, NodeId peerId)
        {
            Slot = slot;
            PeerId = peerId;
        }

        public int Slot { get; }

        /// <summary>The node the slot goes to (migrating) or comes from (importing).</summary>
        public NodeId PeerId { get; }

        public override string ToString() => $"{Slot}:{PeerId.Short}";
    }

    /// <summary>One node as one CLUSTER NODES line describes it, seen from the node that was asked.</summary>
    public sealed class RedisClusterNode
    {
        internal RedisClusterNode(
            NodeId nodeId, string host, int port, int busPort, string hostname, NodeFlags flags, NodeId? masterId,
            long pingSent, long pongReceived, long configEpoch, NodeLinkState linkState,
            IReadOnlyList<SlotRange> slots, IReadOnlyList<SlotMigration> migrating, IReadOnlyList<SlotMigration> importing)
        {
            NodeId = nodeId;
            Host = host;
            Port = port;
            BusPort = busPort;
            Hostname = hostname;
            Flags = flags;
            MasterId = masterId;
            PingSent = pingSent;
            PongReceived = pongReceived;
            ConfigEpoch = configEpoch;
            LinkState = linkState;
            Slots = slots;
            MigratingSlots = migrating;
            ImportingSlots = importing;
        }

        public NodeId NodeId { get; }

        /// <summary>"ip:port" as the cluster announces it; empty for a node without an address.</summary>
        public string EndPoint => ToEndPoint()?.ToString() ?? string.Empty;
        public string Host { get; }
        public int Port { get; }
        public int BusPort { get; }
        public string Hostname { get; }
        public NodeRole Role => (Flags & NodeFlags.Replica) != 0 ? NodeRole.Replica : NodeRole.Master;
        public NodeId? MasterId { get; }
        public NodeFlags Flags { get; }
        public bool IsMyself => (Flags & NodeFlags.Myself) != 0;
        public bool IsFailing => (Flags & (NodeFlags.Failing | NodeFlags.PossiblyFailing)) != 0;
        public NodeLinkState LinkState { get; }
        public long ConfigEpoch { get; }

        /// <summary>Unix milliseconds of the last unanswered PING, 0 when none is pending.</summary>
        public long PingSent { get; }

        /// <summary>Unix milliseconds of the last PONG received.</summary>
        public long PongReceived { get; }

        public IReadOnlyList<SlotRange> Slots { get; }
        public int SlotCount => Slots.Sum(r => r.Count);
        public IReadOnlyList<SlotMigration> MigratingSlots { get; }
        public IReadOnlyList<SlotMigration> ImportingSlots { get; }

        /// <summary>The connection this node was read through, so piped objects need no credentials again.</summary>
        public RedisClusterConnection Connection { get; internal set; }

        /// <summary>The same node with a host filled in, for a node that does not know its own address yet.</summary>
        internal RedisClusterNode WithHost(string host) =>
            new RedisClusterNode(NodeId, host, Port, BusPort, Hostname, Flags, MasterId, PingSent, PongReceived, ConfigEpoch, LinkState, Slots, MigratingSlots, ImportingSlots)
            {
                Connection = Connection,
            };

        /// <summary>The endpoint to dial this node on, or null when the cluster knows no address for it.</summary>
        public NodeEndPoint ToEndPoint() => string.IsNullOrEmpty(Host) || Port == 0 ? null : new NodeEndPoint(Host, Port);

        public bool OwnsSlot(int slot) => Slots.Any(r => r.Contains(slot));

        public override string ToString() => $"{NodeId.Short} {EndPoint} {Role}";
    }
}
