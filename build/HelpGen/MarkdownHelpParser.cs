using System.Text;
using System.Text.RegularExpressions;

namespace HelpGen;

/// <summary>
/// Reads a platyPS-style page: "# Name", then "## SECTION"s, "### Item"s inside them, paragraphs and
/// fenced code. Only the structure platyPS writes is accepted; anything missing is an error.
/// </summary>
internal static class MarkdownHelpParser
{
    private sealed class Block
    {
        public string Heading = string.Empty;
        public readonly List<string> Paragraphs = new();
        public readonly List<(string Language, string Code)> Code = new();
        public readonly List<Block> Children = new();
    }

    public static CommandHelp Parse(string file, string markdown)
    {
        var root = ReadBlocks(StripFrontMatter(markdown));
        var title = root.Children.FirstOrDefault() ?? throw new HelpFormatException(file, "no '# Verb-Noun' title.");
        var sections = title.Children.ToDictionary(s => s.Heading.ToUpperInvariant(), s => s);

        Block Section(string name) =>
            sections.TryGetValue(name, out var s) ? s : throw new HelpFormatException(file, $"no '## {name}' section.");
        Block? Optional(string name) => sections.TryGetValue(name, out var s) ? s : null;

        string synopsis = string.Join(" ", Section("SYNOPSIS").Paragraphs);
        if (synopsis.Length == 0) throw new HelpFormatException(file, "the SYNOPSIS is empty.");
        var description = Section("DESCRIPTION").Paragraphs;
        if (description.Count == 0) throw new HelpFormatException(file, "the DESCRIPTION is empty.");

        var syntax = Section("SYNTAX").Children
            .Select(c => new SyntaxSet(Regex.Replace(c.Heading, @"\s*\(Default\)\s*$", string.Empty), c.Code.FirstOrDefault().Code?.Trim() ?? string.Empty))
            .ToList();
        if (syntax.Count == 0 && Section("SYNTAX").Code.Count > 0) syntax.Add(new SyntaxSet("__AllParameterSets", Section("SYNTAX").Code[0].Code.Trim()));

        var examples = Section("EXAMPLES").Children.Select(e => new Example(
            e.Heading,
            string.Join(Environment.NewLine, e.Code.Select(c => c.Code.TrimEnd())),
            e.Paragraphs)).ToList();
        if (examples.Count == 0) throw new HelpFormatException(file, "the EXAMPLES section has no '### Example'.");
        foreach (var example in examples.Where(x => x.Code.Length == 0))
        {
            throw new HelpFormatException(file, $"example '{example.Title}' has no code block.");
        }

        var parameters = new List<ParameterHelp>();
        foreach (var p in Section("PARAMETERS").Children.Where(c => c.Heading.StartsWith('-')))
        {
            var yaml = p.Code.FirstOrDefault(c => c.Language == "yaml").Code
                ?? throw new HelpFormatException(file, $"parameter {p.Heading} has no ```yaml block.");
            parameters.Add(new ParameterHelp(p.Heading.TrimStart('-'), p.Paragraphs, ReadYaml(yaml)));
        }

        return new CommandHelp(
            title.Heading, synopsis, description, syntax, examples, parameters,
            Types(Optional("INPUTS")), Types(Optional("OUTPUTS")),
            Optional("NOTES")?.Paragraphs ?? new List<string>(),
            Links(Optional("RELATED LINKS")));
    }

    private static IReadOnlyList<TypeHelp> Types(Block? section) =>
        section?.Children.Select(c => new TypeHelp(c.Heading, c.Paragraphs)).ToList() ?? new List<TypeHelp>();

    private static IReadOnlyList<Link> Links(Block? section) =>
        section == null
            ? new List<Link>()
            : section.Paragraphs.SelectMany(p => Regex.Matches(p, @"\[([^\]]+)\]\(([^)]*)\)"))
                .Select(m => new Link(m.Groups[1].Value, m.Groups[2].Value.EndsWith(".md") ? string.Empty : m.Groups[2].Value)).ToList();

    private static Dictionary<string, string> ReadYaml(string yaml)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in yaml.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            int colon = line.IndexOf(':');
            if (colon > 0) values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return values;
    }

    private static string StripFrontMatter(string markdown)
    {
        var text = markdown.Replace("\r\n", "\n");
        if (!text.StartsWith("---\n")) return text;
        int end = text.IndexOf("\n---\n", 4, StringComparison.Ordinal);
        return end < 0 ? text : text[(end + 5)..];
    }

    /// <summary>Groups lines under headings, 1 to 3 deep; paragraphs join their lines; fences are kept verbatim.</summary>
    private static Block ReadBlocks(string text)
    {
        var root = new Block();
        var path = new Block[4];
        path[0] = root;
        var current = root;
        var paragraph = new StringBuilder();
        var lines = text.Split('\n');

        void EndParagraph()
        {
            if (paragraph.Length > 0) current.Paragraphs.Add(paragraph.ToString().Trim());
            paragraph.Clear();
        }

        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            var heading = Regex.Match(line, @"^(#{1,3})\s+(.*)$");
            if (heading.Success)
            {
                EndParagraph();
                int depth = heading.Groups[1].Length;
                var block = new Block { Heading = heading.Groups[2].Value.Trim() };
                var parent = path[depth - 1] ?? root;
                parent.Children.Add(block);
                path[depth] = block;
                for (int d = depth + 1; d < path.Length; d++) path[d] = null!;
                current = block;
                continue;
            }
            if (line.StartsWith("```"))
            {
                EndParagraph();
                string language = line[3..].Trim();
                var code = new StringBuilder();
                for (i++; i < lines.Length && !lines[i].StartsWith("```"); i++) code.Append(lines[i]).Append('\n');
                current.Code.Add((language, code.ToString()));
                continue;
            }
            if (line.Trim().Length == 0)
            {
                EndParagraph();
                continue;
            }
            // Lists keep their line breaks so bullets stay bullets in console help.
            if (paragraph.Length > 0) paragraph.Append(Regex.IsMatch(line, @"^\s*([-*]|\d+\.)\s") ? "\n" : " ");
            paragraph.Append(line.Trim());
        }
        EndParagraph();
        return root;
    }
}
