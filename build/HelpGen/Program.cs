using HelpGen;

// Usage: HelpGen <markdownDir> <outputDir> <moduleAssemblyName>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: HelpGen <markdownDir> <outputDir> <moduleAssemblyName>");
    return 2;
}
string sourceDir = args[0], outputDir = args[1], assembly = args[2];
try
{
    Directory.CreateDirectory(outputDir);
    var pages = Directory.GetFiles(sourceDir, "*-*.md").Where(f => !Path.GetFileName(f).StartsWith("about_")).OrderBy(f => f, StringComparer.Ordinal);
    var commands = pages.Select(f => MarkdownHelpParser.Parse(Path.GetFileName(f), File.ReadAllText(f))).ToList();
    using (var output = File.Create(Path.Combine(outputDir, assembly + "-Help.xml")))
    {
        MamlWriter.Write(commands, output);
    }
    var abouts = Directory.GetFiles(sourceDir, "about_*.md");
    foreach (var about in abouts)
    {
        File.WriteAllText(Path.Combine(outputDir, Path.GetFileNameWithoutExtension(about) + ".help.txt"), MarkdownText.AboutTopic(File.ReadAllText(about)));
    }
    Console.WriteLine($"Help: {commands.Count} cmdlet page(s), {abouts.Length} about topic(s) -> {outputDir}");
    return 0;
}
catch (HelpFormatException e)
{
    Console.Error.WriteLine("Help source error: " + e.Message);
    return 1;
}
