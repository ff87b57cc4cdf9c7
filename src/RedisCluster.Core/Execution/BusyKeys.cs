using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace RedisCluster
{
    /// <summary>What becomes of a key a MIGRATE could not move because the receiving node has it too.</summary>
    internal enum BusyKeyAction
    {
        /// <summary>The sender no longer has it: the MIGRATE that reported the busy key moved it after all.</summary>
        AlreadyMoved,
        /// <summary>The receiver no longer has it: a plain MIGRATE moves it.</summary>
        Migrate,
        /// <summary>Equal copies, or different ones the caller chose to overwrite: MIGRATE with REPLACE.</summary>
        MigrateReplacing,
        /// <summary>The receiver's copy is the newer one by the repair's policy: the sender's copy is deleted.</summary>
        DropSenderCopy,
        /// <summary>Different copies: both are kept and the slot stops.</summary>
        Conflict,
    }

    /// <summary>
    /// The one way a key on both sides of a move is settled, for the slot mover and the repairer alike: both copies
    /// are read by DUMP and compared. Equal copies move with REPLACE rather than the sender's copy being deleted, so a
    /// write that reached the sender after the comparison travels with the MIGRATE instead of being lost.
    /// </summary>
    internal static class BusyKeys
    {
        public static BusyKeyAction Decide(RedisReply senderCopy, RedisReply receiverCopy, KeyConflictPolicy policy, bool replace)
        {
            if (senderCopy.IsNull) return BusyKeyAction.AlreadyMoved;
            if (receiverCopy.IsNull) return BusyKeyAction.Migrate;
            if (policy == KeyConflictPolicy.KeepOwnerCopy) return BusyKeyAction.DropSenderCopy;
            return replace || senderCopy.Bytes.SequenceEqual(receiverCopy.Bytes) ? BusyKeyAction.MigrateReplacing : BusyKeyAction.Conflict;
        }

        /// <summary>
        /// Settles the keys one by one and returns the names of those left in conflict; <paramref name="settled"/>
        /// hears of every other key's action once it is done.
        /// </summary>
        public static async Task<IReadOnlyList<string>> SettleAsync(IEnumerable<byte[]> keys, KeyConflictPolicy policy, bool replace, BusyKeySides sides, Action<BusyKeyAction> settled)
        {
            var conflicts = new List<string>();
            foreach (var key in keys)
            {
                var senderCopy = await sides.DumpOnSenderAsync(key).ConfigureAwait(false);
                var receiverCopy = senderCopy.IsNull ? RedisReply.Null : await sides.DumpOnReceiverAsync(key).ConfigureAwait(false);
                var action = Decide(senderCopy, receiverCopy, policy, replace);
                switch (action)
                {
                    case BusyKeyAction.Conflict:
                        conflicts.Add(Encoding.UTF8.GetString(key));
                        continue;
                    case BusyKeyAction.Migrate:
                    case BusyKeyAction.MigrateReplacing:
                        await sides.MigrateAsync(key, action == BusyKeyAction.MigrateReplacing).ConfigureAwait(false);
                        break;
                    case BusyKeyAction.DropSenderCopy:
                        await sides.DropSenderCopyAsync(key).ConfigureAwait(false);
                        break;
                }
                settled(action);
            }
            return conflicts;
        }
    }

    /// <summary>How the two nodes of a move are read and written while busy keys are settled.</summary>
    internal sealed class BusyKeySides
    {
        public Func<byte[], Task<RedisReply>> DumpOnSenderAsync { get; set; }
        public Func<byte[], Task<RedisReply>> DumpOnReceiverAsync { get; set; }

        /// <summary>MIGRATE of one key, with REPLACE when asked.</summary>
        public Func<byte[], bool, Task> MigrateAsync { get; set; }

        /// <summary>Needed only with <see cref="KeyConflictPolicy.KeepOwnerCopy"/>.</summary>
        public Func<byte[], Task> DropSenderCopyAsync { get; set; }
    }
}
