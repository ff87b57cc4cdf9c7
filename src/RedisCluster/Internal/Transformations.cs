using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace RedisCluster.Internal
{
    /// <summary>
    /// Lets -Role take "slave" as Redis writes it (and "primary" as Valkey does) besides the enum names. It gives
    /// back the canonical name, which binds to NodeRole and NodeRoleSelection alike.
    /// </summary>
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
                        return nameof(NodeRole.Replica);
                    case "primary":
                    case "primaries":
                    case "masters":
                        return nameof(NodeRole.Master);
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
    /// Key names from the command line or the pipeline: strings and numbers, and objects with a Key property
    /// (what Get-RedisKeySlot writes). Any other object is refused rather than hashed as its display text,
    /// which for a piped node would be "93e1ed2b 127.0.0.1:7000 Master". This stands in for
    /// ValueFromPipelineByPropertyName, because a transformation sees every piped object first.
    /// </summary>
    public sealed class KeyNameTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is IEnumerable enumerable && !(value is string))
            {
                return enumerable.Cast<object>().Select(KeyOf).ToArray();
            }
            return KeyOf(inputData);
        }

        private static string KeyOf(object input)
        {
            var wrapped = input as PSObject;
            object value = wrapped != null ? wrapped.BaseObject : input;
            if (value == null || value is string) return (string)value;
            if (value is char || (value is IConvertible && value.GetType().IsPrimitive)) return LanguagePrimitives.ConvertTo<string>(value);
            var key = (wrapped ?? PSObject.AsPSObject(value)).Properties["Key"];
            if (key != null && (key.Value is string || key.Value is PSObject)) return LanguagePrimitives.ConvertTo<string>(key.Value);
            throw new ArgumentTransformationMetadataException(
                $"A {value.GetType().Name} is not a key name: give strings, or objects with a Key property.");
        }
    }
}
