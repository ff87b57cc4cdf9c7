using System;

namespace RedisCluster
{
    /// <summary>
    /// One slot to move from the master that owns it to another: the unit the slot-migration planners produce and
    /// the executor applies. Ids are typed inside; the output objects built from moves give them as strings.
    /// </summary>
    public readonly struct SlotMove : IEquatable<SlotMove>
    {
        public SlotMove(int slot, NodeId source, NodeId target)
        {
            if (slot < 0 || slot > HashSlot.MaxSlot) throw new ArgumentOutOfRangeException(nameof(slot), slot, $"A slot is 0 to {HashSlot.MaxSlot}.");
            if (source == target) throw new ArgumentException("A slot moves between two different masters.", nameof(target));
            Slot = slot;
            Source = source;
            Target = target;
        }

        public int Slot { get; }

        /// <summary>The master that owns the slot before the move.</summary>
        public NodeId Source { get; }

        /// <summary>The master that owns it after.</summary>
        public NodeId Target { get; }

        public bool Equals(SlotMove other) => Slot == other.Slot && Source == other.Source && Target == other.Target;

        public override bool Equals(object obj) => obj is SlotMove other && Equals(other);

        public override int GetHashCode() => (Slot * 397) ^ Source.GetHashCode() ^ (Target.GetHashCode() * 31);

        public override string ToString() => $"{Slot}: {Source.Short} -> {Target.Short}";
    }
}
