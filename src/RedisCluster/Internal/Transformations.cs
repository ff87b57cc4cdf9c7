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
    /// Values from the command line or the pipeline: strings and numbers, and objects carrying the value in a named
    /// property. Any other object is refused rather than taken as its display text, which for a piped node would be
    /// "93e1ed2b 127.0.0.1:7000 Master". This stands in for ValueFromPipelineByPropertyName where that cannot
    /// serve: a transformation sees every piped object first, and the property may share its name with another
    /// parameter of the cmdlet.
    /// </summary>
    public abstract class PropertyValueTransformationAttribute : ArgumentTransformationAttribute
    {
        private readonly string _property;
        private readonly string _what;
        private readonly string _carrier;

        /// <param name="property">The property that holds the value on piped objects.</param>
        /// <param name="what">What the value is, for the refusal: "a key name".</param>
        /// <param name="carrier">The objects that carry it, for the refusal: "objects with a Key property".</param>
        protected PropertyValueTransformationAttribute(string property, string what, string carrier)
        {
            _property = property;
            _what = what;
            _carrier = carrier;
        }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is IEnumerable enumerable && !(value is string))
            {
                return enumerable.Cast<object>().Select(ValueOf).ToArray();
            }
            return ValueOf(inputData);
        }

        private string ValueOf(object input)
        {
            var wrapped = input as PSObject;
            object value = wrapped != null ? wrapped.BaseObject : input;
            if (value == null || value is string) return (string)value;
            if (value is char || (value is IConvertible && value.GetType().IsPrimitive)) return LanguagePrimitives.ConvertTo<string>(value);
            var property = (wrapped ?? PSObject.AsPSObject(value)).Properties[_property];
            if (property != null && (property.Value is string || property.Value is PSObject)) return LanguagePrimitives.ConvertTo<string>(property.Value);
            throw new ArgumentTransformationMetadataException(
                $"A {value.GetType().Name} is not {_what}: give strings, or {_carrier}.");
        }
    }

    /// <summary>Key names, or objects with a Key property (what Get-RedisKeySlot writes).</summary>
    public sealed class KeyNameTransformationAttribute : PropertyValueTransformationAttribute
    {
        public KeyNameTransformationAttribute() : base("Key", "a key name", "objects with a Key property")
        {
        }
    }

    /// <summary>Endpoints, or objects with an EndPoint property (what New-RedisClusterNode writes).</summary>
    public sealed class EndPointTransformationAttribute : PropertyValueTransformationAttribute
    {
        public EndPointTransformationAttribute() : base("EndPoint", "an endpoint", "objects with an EndPoint property")
        {
        }
    }
}
