using System;
using System.Collections.Generic;
using System.Globalization;

namespace RedisCluster
{
    /// <summary>The "name:value" lines of INFO and CLUSTER INFO.</summary>
    public static class InfoFields
    {
        public static IReadOnlyDictionary<string, string> Parse(string text)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var raw in (text ?? string.Empty).Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                if (line.Length == 0 || line[0] == '#') continue;
                int colon = line.IndexOf(':');
                if (colon > 0) fields[line.Substring(0, colon)] = line.Substring(colon + 1);
            }
            return fields;
        }

        public static string Get(this IReadOnlyDictionary<string, string> fields, string name) =>
            fields != null && fields.TryGetValue(name, out var value) ? value : null;

        public static long? GetInt64(this IReadOnlyDictionary<string, string> fields, string name) =>
            long.TryParse(fields.Get(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : (long?)null;

        /// <summary>A "key=value,key=value" field such as INFO keyspace's "db0:keys=3,expires=0".</summary>
        public static IReadOnlyDictionary<string, string> ParseComposite(string value)
        {
            var parts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var part in (value ?? string.Empty).Split(','))
            {
                int equals = part.IndexOf('=');
                if (equals > 0) parts[part.Substring(0, equals)] = part.Substring(equals + 1);
            }
            return parts;
        }
    }
}
