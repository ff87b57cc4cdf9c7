using System;
using System.IO;
using System.Threading;

namespace RedisCluster
{
    /// <summary>The moments of a slot move at which a crash test stops the executor.</summary>
    internal enum SlotMigrationStopPoint
    {
        /// <summary>After the IMPORTING burst on the target, before any MIGRATING.</summary>
        AfterImporting,
        /// <summary>After the MIGRATING burst on the source, before any key moved.</summary>
        AfterMigrating,
        /// <summary>After the first MIGRATE batch of a slot that has more keys: keys on both sides.</summary>
        MidSlot,
        /// <summary>After SETSLOT NODE on the target, before the source's.</summary>
        BetweenNodeSetSlots,
    }

    /// <summary>
    /// A test-only hook: crash tests need the module's process to stop at an exact point of a slot move, so they can
    /// kill it (kill -9) there and prove Repair-RedisCluster heals what it left. It is inert unless the environment
    /// variable REDISCLUSTER_TEST_STOP_AT names a stop point when the module loads: then, on reaching that point, the
    /// executor writes the file REDISCLUSTER_TEST_STOP_MARKER names (so the test knows it is there) and blocks forever.
    /// </summary>
    internal static class SlotMigrationStopPoints
    {
        public const string StopAtVariable = "REDISCLUSTER_TEST_STOP_AT";
        public const string MarkerVariable = "REDISCLUSTER_TEST_STOP_MARKER";

        // Read once: a process that did not start with the variable never stops, whatever it sets later.
        private static readonly SlotMigrationStopPoint? StopAt =
            Enum.TryParse(Environment.GetEnvironmentVariable(StopAtVariable) ?? string.Empty, out SlotMigrationStopPoint point) ? point : (SlotMigrationStopPoint?)null;

        /// <summary>Stops here for good when the test asked for this point (and <paramref name="applies"/>); otherwise returns at once.</summary>
        public static void Reach(SlotMigrationStopPoint point, bool applies = true)
        {
            if (StopAt != point || !applies) return;
            var marker = Environment.GetEnvironmentVariable(MarkerVariable);
            if (!string.IsNullOrEmpty(marker))
            {
                // Written aside and renamed into place: a test that sees the file must see what it says (WriteAllText
                // creates it empty first, and a test read it empty once).
                File.WriteAllText(marker + ".partial", point.ToString());
                File.Move(marker + ".partial", marker);
            }
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
