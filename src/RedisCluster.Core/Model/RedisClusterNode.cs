using System;
using System.Collections.Generic;
using System.Linq;

namespace RedisCluster
{
    public enum NodeRole
    {
        Master,
        Replica,
        /// <summary>A node still in handshake (or without an address) that has no role yet; Redis flags it neither master nor slave.</summary>
        Unknown,
    }

    public enum NodeLinkState
    {
        Connected,
        Disconnected,
    }

    /// <summary>The flags of a CLUSTER NODES line that the module knows; the text as Redis wrote it is in RawFlags.</summary>
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
        internal SlotMigration(int slot, NodeId peer, bool isImporting)
        {
            Slot = slot;
            Peer = peer;
            IsImporting = isImporting;
        }

        public int Slot { get; }

        /// <summary>The node the slot goes to (migrating) or comes from (importing).</summary>
        public string PeerId => Peer.ToString();

        /// <summary>True for a slot coming in (IMPORTING), false for one going out (MIGRATING).</summary>
        public bool IsImporting { get; }

        internal NodeId Peer { get; }

        /// <summary>As CLUSTER NODES writes it, without brackets and with the id shortened: "7->-93e1ed2b" migrating, "7-&lt;-93e1ed2b" importing.</summary>
        public override string ToString() => $"{Slot}{(IsImporting ? "-<-" : "->-")}{Peer.Short}";
    }

    /// <summary>Open slots of one node; exports as "7->-93e1ed2b,8-&lt;-0a1b2c3d".</summary>
    public sealed class SlotMigrationList : System.Collections.ObjectModel.ReadOnlyCollection<SlotMigration>
    {
        internal static readonly SlotMigrationList Empty = new SlotMigrationList(new SlotMigration[0]);

        internal SlotMigrationList(IList<SlotMigration> items) : base(items)
        {
        }

        public override string ToString() => string.Join(",", this);
    }

    /// <summary>One node as one CLUSTER NODES line describes it, seen from the node that was asked.</summary>
    public sealed class RedisClusterNode
    {
        internal RedisClusterNode(
            NodeId id, string host, int port, int busPort, string hostname, NodeFlags flags, string rawFlags, NodeId? masterId,
            long pingSent, long pongReceived, long configEpoch, NodeLinkState linkState,
            IReadOnlyList<SlotRange> slots, IReadOnlyList<SlotMigration> migrating, IReadOnlyList<SlotMigration> importing)
        {
            Id = id;
            Host = host;
            Port = port;
            BusPort = busPort;
            Hostname = hostname;
            Flags = flags;
            RawFlags = rawFlags;
            MasterNodeId = masterId;
            PingSent = pingSent;
            PongReceived = pongReceived;
            ConfigEpoch = configEpoch;
            LinkState = linkState;
            Slots = new SlotRangeList(slots);
            MigratingSlots = new SlotMigrationList(migrating.ToList());
            ImportingSlots = new SlotMigrationList(importing.ToList());
        }

        /// <summary>The 40-character node id, as a plain string so it exports and compares as one.</summary>
        public string NodeId => Id.ToString();

        /// <summary>"ip:port" as the cluster announces it; empty for a node without an address.</summary>
        public string EndPoint => ToEndPoint()?.ToString() ?? string.Empty;
        public string Host { get; }
        public int Port { get; }
        public int BusPort { get; }
        public string Hostname { get; }

        /// <summary>Master or Replica as Redis flags it; Unknown for a node in handshake, which has no role yet.</summary>
        public NodeRole Role =>
            (Flags & NodeFlags.Replica) != 0 ? NodeRole.Replica : (Flags & NodeFlags.Master) != 0 ? NodeRole.Master : NodeRole.Unknown;

        /// <summary>The id of the master a replica follows; null for a master.</summary>
        public string MasterId => MasterNodeId?.ToString();

        public NodeFlags Flags { get; }

        /// <summary>The flags field as Redis wrote it, including flags newer than this module.</summary>
        public string RawFlags { get; }

        public bool IsMyself => (Flags & NodeFlags.Myself) != 0;
        public bool IsFailing => (Flags & (NodeFlags.Failing | NodeFlags.PossiblyFailing)) != 0;
        public NodeLinkState LinkState { get; }
        public long ConfigEpoch { get; }

        /// <summary>Unix milliseconds of the last unanswered PING, 0 when none is pending.</summary>
        public long PingSent { get; }

        /// <summary>Unix milliseconds of the last PONG received.</summary>
        public long PongReceived { get; }

        /// <summary>The slot ranges this node owns; exports as "0-5460,6000".</summary>
        public SlotRangeList Slots { get; }
        public int SlotCount => Slots.SlotCount;
        public SlotMigrationList MigratingSlots { get; }
        public SlotMigrationList ImportingSlots { get; }

        /// <summary>The connection this node was read through, so piped objects need no credentials again.</summary>
        public RedisClusterConnection Connection { get; internal set; }

        /// <summary>The engine's form of the node id.</summary>
        internal NodeId Id { get; }

        /// <summary>The engine's form of the master's id; null for a master.</summary>
        internal NodeId? MasterNodeId { get; }

        /// <summary>The same node with a host filled in, for a node that does not know its own address yet.</summary>
        internal RedisClusterNode WithHost(string host) =>
            new RedisClusterNode(Id, host, Port, BusPort, Hostname, Flags, RawFlags, MasterNodeId, PingSent, PongReceived, ConfigEpoch, LinkState, Slots, MigratingSlots, ImportingSlots)
            {
                Connection = Connection,
                KnowsOwnAddress = false,
            };

        /// <summary>
        /// False for a node's own line that had no address: it has not yet learnt its IP from a peer, so what it
        /// tells clients (CLUSTER SLOTS) still lacks it, whatever host was filled in here to dial it.
        /// </summary>
        internal bool KnowsOwnAddress { get; private set; } = true;

        /// <summary>The endpoint to dial this node on, or null when the cluster knows no address for it.</summary>
        public NodeEndPoint ToEndPoint() => string.IsNullOrEmpty(Host) || Port == 0 ? null : new NodeEndPoint(Host, Port);

        public bool OwnsSlot(int slot) => Slots.ContainsSlot(slot);

        public override string ToString() => $"{Id.Short} {(EndPoint.Length > 0 ? EndPoint : "(no address)")} {Role}";
    }
}
