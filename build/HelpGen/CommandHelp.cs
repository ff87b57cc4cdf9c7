namespace HelpGen;

/// <summary>One cmdlet's help page, as read from markdown.</summary>
internal sealed record CommandHelp(
    string Name,
    string Synopsis,
    IReadOnlyList<string> Description,
    IReadOnlyList<SyntaxSet> Syntax,
    IReadOnlyList<Example> Examples,
    IReadOnlyList<ParameterHelp> Parameters,
    IReadOnlyList<TypeHelp> Inputs,
    IReadOnlyList<TypeHelp> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<Link> Links)
{
    public string Verb => Name.Split('-', 2)[0];
    public string Noun => Name.Split('-', 2).ElementAtOrDefault(1) ?? string.Empty;
}

/// <summary>A parameter set and the syntax line platyPS writes for it.</summary>
internal sealed record SyntaxSet(string Name, string Line)
{
    /// <summary>Parameter names in the order the syntax line shows them.</summary>
    public IEnumerable<string> ParameterNames =>
        System.Text.RegularExpressions.Regex.Matches(Line, @"\s\[{0,2}-(\w+)").Select(m => m.Groups[1].Value)
            .Where(n => n != "CommonParameters");
}

internal sealed record Example(string Title, string Code, IReadOnlyList<string> Remarks);

internal sealed record ParameterHelp(string Name, IReadOnlyList<string> Description, IReadOnlyDictionary<string, string> Metadata)
{
    public string Get(string key) => Metadata.TryGetValue(key, out var value) ? value : string.Empty;
    public string Type => Get("Type");
    public bool Required => Get("Required").StartsWith("True", StringComparison.OrdinalIgnoreCase);
    public string Position => Get("Position") is { Length: > 0 } p && p != "Named" ? p : "named";
    public string PipelineInput => Get("Accept pipeline input") is { Length: > 0 } p ? p : "False";
    public bool Globbing => Get("Accept wildcard characters").StartsWith("True", StringComparison.OrdinalIgnoreCase);
    public string DefaultValue => Get("Default value") is { Length: > 0 } d ? d : "None";
    public IReadOnlyList<string> Aliases => Get("Aliases").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    public bool IsSwitch => Type == "SwitchParameter";
}

internal sealed record TypeHelp(string Name, IReadOnlyList<string> Description);

internal sealed record Link(string Text, string Uri);

internal sealed class HelpFormatException(string file, string problem) : Exception($"{file}: {problem}");
