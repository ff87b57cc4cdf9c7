using System.Text;
using System.Text.RegularExpressions;

namespace HelpGen;

/// <summary>Markdown to the plain text a console shows.</summary>
internal static class MarkdownText
{
    /// <summary>Inline markup away: links keep their text, code and emphasis lose their marks.</summary>
    public static string Plain(string text)
    {
        text = Regex.Replace(text, @"\[([^\]]+)\]\([^)]*\)", "$1");
        text = Regex.Replace(text, @"`([^`]*)`", "$1");
        text = Regex.Replace(text, @"(\*\*|__)(.+?)\1", "$2");
        return text;
    }

    /// <summary>
    /// An about_ page: headings upper-cased, code indented four spaces, paragraphs as written, except the
    /// SHORT DESCRIPTION, which becomes one line: Get-Help takes the file's fifth line, the one after that
    /// heading, as the topic's synopsis, so a wrapped description would be cut mid-sentence.
    /// </summary>
    public static string AboutTopic(string markdown)
    {
        var output = new StringBuilder();
        bool inCode = false;
        StringBuilder? synopsis = null;
        void EndSynopsis()
        {
            if (synopsis == null) return;
            if (synopsis.Length > 0) output.Append("    ").AppendLine(synopsis.ToString());
            synopsis = null;
        }
        foreach (var raw in markdown.Replace("\r\n", "\n").Split('\n'))
        {
            if (synopsis != null && raw.Length > 0 && !raw.StartsWith("#"))
            {
                synopsis.Append(synopsis.Length > 0 ? " " : string.Empty).Append(Plain(raw.Trim()).Replace("  ", " "));
                continue;
            }
            EndSynopsis();
            if (raw.StartsWith("```"))
            {
                inCode = !inCode;
                continue;
            }
            if (inCode)
            {
                output.Append("    ").AppendLine(raw);
                continue;
            }
            var heading = Regex.Match(raw, @"^(#{1,6})\s+(.*)$");
            if (heading.Success)
            {
                string text = Plain(heading.Groups[2].Value.Trim());
                if (heading.Groups[1].Length == 1)
                {
                    // The layout Get-HelpInfo expects: TOPIC, the name, a blank line, SHORT DESCRIPTION, and the
                    // synopsis on the fifth line, which is the one Get-Help lists.
                    output.AppendLine("TOPIC").Append("    ").AppendLine(text);
                    continue;
                }
                output.AppendLine(heading.Groups[1].Length <= 2 ? text.ToUpperInvariant() : text);
                if (text.Equals("SHORT DESCRIPTION", System.StringComparison.OrdinalIgnoreCase)) synopsis = new StringBuilder();
                continue;
            }
            output.AppendLine(raw.Length == 0 ? string.Empty : "    " + Plain(raw.Trim()).Replace("  ", " "));
        }
        EndSynopsis();
        return output.ToString();
    }
}
