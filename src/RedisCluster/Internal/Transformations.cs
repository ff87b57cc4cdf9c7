using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>Lets -Role take "slave" as Redis writes it (and "primary" as Valkey does) besides the enum names.</summary>
    public sealed class NodeRoleTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is string text)
            {
                switch (text.Trim().ToLowerInvariant())
                {
                    case "slave":
                    case "slaves":
                    case "replicas":
                        return NodeRole.Replica;
                    case "primary":
                    case "masters":
                        return NodeRole.Master;
                }
            }
            return inputData;
        }
    }

    /// <summary>
    /// Lets slot parameters take "0-100,5000" as one string, numbers (5000) and ranges ("0-100") alike, and
    /// says clearly what is wrong with a bad one.
    /// </summary>
    public sealed class SlotRangeTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var ranges = new List<SlotRange>();
            foreach (object item in Items(inputData))
            {
                switch (item)
                {
                    case SlotRange range:
                        ranges.Add(range);
                        break;
                    case SlotRangeList list:
                        ranges.AddRange(list);
                        break;
                    case string text:
                        if (!SlotRangeList.TryParse(text, out var parsed, out var error)) throw new ArgumentTransformationMetadataException(error);
                        ranges.AddRange(parsed);
                        break;
                    case int _:
                    case long _:
                    case short _:
                        long slot = Convert.ToInt64(item);
                        if (slot < 0 || slot > HashSlot.MaxSlot) throw new ArgumentTransformationMetadataException($"Slot {slot} is outside 0-{HashSlot.MaxSlot}.");
                        ranges.Add(new SlotRange((int)slot));
                        break;
                    default:
                        throw new ArgumentTransformationMetadataException($"'{item}' is not a slot or slot range (expected N, N-M or a list such as 0-100,5000).");
                }
            }
            return SlotRange.Normalize(ranges).ToArray();
        }

        private static IEnumerable<object> Items(object input)
        {
            object value = input is PSObject wrapped ? wrapped.BaseObject : input;
            if (value is string || !(value is IEnumerable enumerable))
            {
                yield return value;
                yield break;
            }
            foreach (object item in enumerable) yield return item is PSObject inner ? inner.BaseObject : item;
        }
    }

    /// <summary>
    /// Keeps a string parameter that takes pipeline input from turning any object into its display text: only
    /// strings and numbers are accepted, so a piped node object is refused rather than hashed as "93e1ed2b 127.0.0.1:7000 Master".
    /// </summary>
    public sealed class TextOnlyTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is IEnumerable enumerable && !(value is string))
            {
                return enumerable.Cast<object>().Select(item => Text(item is PSObject inner ? inner.BaseObject : item)).ToArray();
            }
            return Text(value);
        }

        private static string Text(object value)
        {
            if (value == null || value is string) return (string)value;
            if (value is char || (value is IConvertible && value.GetType().IsPrimitive)) return LanguagePrimitives.ConvertTo<string>(value);
            throw new ArgumentTransformationMetadataException($"A {value.GetType().Name} is not text: give strings (a key name), not objects.");
        }
    }
}
