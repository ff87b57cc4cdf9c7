using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RedisCluster.Internal;

namespace RedisCluster.Commands
{
    /// <summary>
    /// Brings every master to its weighted share of the slots, as redis-cli's rebalance does, when some master is off
    /// its share by more than -Threshold percent; otherwise nothing moves, says so and writes no object.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "RedisRebalance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = CurrentConnectionSet)]
    [OutputType(typeof(SlotMigrationResult))]
    public sealed class InvokeRedisRebalanceCommand : SlotMoveCmdlet
    {
        /// <summary>
        /// Weights by master: keys are node ids, unique id prefixes or endpoints ("host:port" as the cluster announces
        /// it); a master not named weighs 1, and weight 0 empties it.
        /// </summary>
        [Parameter(Position = 0)]
        [ValidateNotNull]
        public Hashtable Weight { get; set; }

        /// <summary>Percent a master may be off its share before anything moves (redis-cli's --cluster-threshold); 2 by default.</summary>
        [Parameter]
        public double Threshold { get; set; } = RebalancePlanner.DefaultThreshold;

        /// <summary>Give masters that own no slots a share too (redis-cli's --cluster-use-empty-masters).</summary>
        [Parameter]
        public SwitchParameter UseEmptyMasters { get; set; }

        protected override string OpenSlotAdvice => "Invoke-RedisReshard -Resume finishes them, with every key; then run Invoke-RedisRebalance again.";

        protected override void ProcessRecord()
        {
            var weights = Weights();
            var connection = ResolveConnection();
            var cluster = ReadSnapshotReadyToMove(connection).Reference;
            var plan = Guard(() => RebalancePlanner.Plan(cluster, weights, Threshold, UseEmptyMasters));
            MoveSlots(connection, plan, "Rebalance Redis cluster");
        }

        /// <summary>The -Weight table as names and numbers; a value that is no number ends the cmdlet before the cluster is read.</summary>
        private List<KeyValuePair<string, double>> Weights()
        {
            var weights = new List<KeyValuePair<string, double>>();
            foreach (DictionaryEntry entry in Weight ?? new Hashtable())
            {
                string name = LanguagePrimitives.ConvertTo<string>(entry.Key);
                if (!LanguagePrimitives.TryConvertTo(entry.Value, out double value))
                {
                    ThrowInvalidArgument("InvalidWeight",
                        $"-Weight gives '{name}' the value '{entry.Value}', which is no number: a weight is a number of 0 or more (0 empties the master); nothing was changed.", entry.Value);
                }
                weights.Add(new KeyValuePair<string, double>(name, value));
            }
            return weights;
        }
    }
}
