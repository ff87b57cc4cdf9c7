using System.Xml.Linq;
using Xunit;

namespace HelpGen.Tests;

public class HelpGenTests
{
    private const string Page = """
        ---
        external help file: X.dll-Help.xml
        ---

        # Get-Thing

        ## SYNOPSIS
        Gets `things`.

        ## SYNTAX

        ### ByName (Default)
        ```
        Get-Thing [-Name] <String[]> [-Force] [<CommonParameters>]
        ```

        ## DESCRIPTION
        First paragraph
        continues here.

        Second paragraph with a [link](https://example.test).

        ## EXAMPLES

        ### Example 1: All things
        ```powershell
        Get-Thing -Name a
        ```

        Gets a.

        ## PARAMETERS

        ### -Name
        The names.

        ```yaml
        Type: String[]
        Parameter Sets: (All)
        Aliases: N

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByValue)
        Accept wildcard characters: False
        ```

        ### -Force
        Force it.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: Named
        Default value: False
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### CommonParameters
        Common.

        ## INPUTS

        ### System.String[]
        Names.

        ## OUTPUTS

        ### Thing
        A thing.

        ## NOTES
        A note.

        ## RELATED LINKS

        [Set-Thing](Set-Thing.md)
        """;

    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    [Fact]
    public void Parse_ReadsEverySection()
    {
        var help = MarkdownHelpParser.Parse("Get-Thing.md", Page);
        Assert.Equal("Get-Thing", help.Name);
        Assert.Equal("Gets `things`.", help.Synopsis);
        Assert.Equal(2, help.Description.Count);
        Assert.Equal("First paragraph continues here.", help.Description[0]);
        Assert.Equal("ByName", Assert.Single(help.Syntax).Name);
        Assert.Equal(new[] { "Name", "Force" }, help.Syntax[0].ParameterNames);
        var example = Assert.Single(help.Examples);
        Assert.Equal("Get-Thing -Name a", example.Code);
        Assert.Equal(new[] { "Gets a." }, example.Remarks);
        Assert.Equal(2, help.Parameters.Count);
        Assert.True(help.Parameters[0].Required);
        Assert.Equal("0", help.Parameters[0].Position);
        Assert.Equal(new[] { "N" }, help.Parameters[0].Aliases);
        Assert.True(help.Parameters[1].IsSwitch);
        Assert.Equal("named", help.Parameters[1].Position);
        Assert.Equal("System.String[]", Assert.Single(help.Inputs).Name);
        Assert.Equal("Set-Thing", Assert.Single(help.Links).Text);
    }

    [Fact]
    public void Maml_IsWellFormedWithTheElementsGetHelpReads()
    {
        var help = MarkdownHelpParser.Parse("Get-Thing.md", Page);
        using var stream = new MemoryStream();
        MamlWriter.Write(new[] { help }, stream);
        var document = XDocument.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        var command = Assert.Single(document.Root!.Elements(Command + "command"));
        Assert.Equal("Get-Thing", command.Element(Command + "details")!.Element(Command + "name")!.Value);
        Assert.Equal("Thing", command.Element(Command + "details")!.Element(Command + "noun")!.Value);
        Assert.Equal("Gets things.", command.Element(Command + "details")!.Element(Maml + "description")!.Value);
        Assert.Contains("with a link.", command.Element(Maml + "description")!.Value);
        var syntaxParameters = command.Descendants(Command + "syntaxItem").Single().Elements(Command + "parameter").ToList();
        Assert.Equal(new[] { "Name", "Force" }, syntaxParameters.Select(p => p.Element(Maml + "name")!.Value));
        Assert.Equal("true", syntaxParameters[0].Attribute("required")!.Value);
        Assert.Equal("True (ByValue)", syntaxParameters[0].Attribute("pipelineInput")!.Value);
        Assert.Null(syntaxParameters[1].Element(Command + "parameterValue"));
        Assert.Equal("Get-Thing -Name a", command.Descendants(Dev + "code").Single().Value);
        Assert.Single(command.Element(Command + "returnValues")!.Elements());
        Assert.Equal("A note.", command.Element(Maml + "alertSet")!.Value);
    }

    [Theory]
    [InlineData("## EXAMPLES", "## EXAMPLES_REMOVED", "EXAMPLES")]
    [InlineData("## SYNOPSIS\nGets `things`.", "## SYNOPSIS\n", "SYNOPSIS is empty")]
    [InlineData("## DESCRIPTION", "## NOTDESCRIPTION", "DESCRIPTION")]
    [InlineData("```yaml\nType: SwitchParameter", "```text\nType: SwitchParameter", "-Force has no ```yaml")]
    public void Parse_RefusesIncompletePages(string find, string replace, string expected)
    {
        var broken = Page.Replace("\r\n", "\n").Replace(find, replace);
        var e = Assert.Throws<HelpFormatException>(() => MarkdownHelpParser.Parse("Get-Thing.md", broken));
        Assert.Contains("Get-Thing.md", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AboutTopic_IsPlainText()
    {
        var text = MarkdownText.AboutTopic("# about_X\n\n## SHORT DESCRIPTION\nUse `Get-Thing`, see [docs](https://x).\n\n```powershell\nGet-Thing\n```\n");
        Assert.StartsWith("TOPIC\n    about_X\n", text.Replace("\r\n", "\n"));
        Assert.Contains("SHORT DESCRIPTION", text);
        Assert.Contains("    Use Get-Thing, see docs.", text);
        Assert.Contains("    Get-Thing", text);
        Assert.DoesNotContain("```", text);
    }

    [Fact]
    public void AboutTopic_ShortDescriptionIsOneLine_SoGetHelpShowsItWhole()
    {
        var text = MarkdownText.AboutTopic("# about_X\n\n## SHORT DESCRIPTION\nBuild and run things,\nwrapped over two lines.\n\n## LONG DESCRIPTION\nMore.\n");
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        // PowerShell takes the fifth line of an about file as its synopsis.
        Assert.Equal("SHORT DESCRIPTION", lines[3]);
        Assert.Equal("    Build and run things, wrapped over two lines.", lines[4]);
        Assert.Contains("    More.", text);
    }

    [Fact]
    public void TheModulesOwnPages_AllParse()
    {
        var pages = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "docs"), "*-*.md");
        Assert.NotEmpty(pages);
        foreach (var page in pages)
        {
            var help = MarkdownHelpParser.Parse(Path.GetFileName(page), File.ReadAllText(page));
            Assert.All(help.Syntax.SelectMany(s => s.ParameterNames).Where(n => n is not ("WhatIf" or "Confirm")),
                name => Assert.Contains(help.Parameters, p => p.Name == name));
        }
    }
}
