using System.Text;
using ClonusCds.Core.KnowledgeBase;

namespace ClonusCds.Core.Tests.Support;

/// <summary>The embedded knowledge-base files as text, and loading them with one file edited (refusal tests).</summary>
internal static class EmbeddedContent
{
    /// <summary>Every content file the knowledge base loads.</summary>
    public static readonly string[] Files = ["manifest.json", "recommendations.json", "cautions.json", "sources.json", "drugs.json", "common-drugs.json", "conditions.json", "reasoning.json"];

    /// <summary>Each file's embedded text.</summary>
    public static readonly IReadOnlyDictionary<string, string> Text = Files.ToDictionary(f => f, Read);

    /// <summary>Loads the knowledge base with <paramref name="file"/> changed by <paramref name="change"/>.</summary>
    public static ClinicalKnowledgeBase LoadWith(string file, Func<string, string> change) =>
        ClinicalKnowledgeBase.Load(name => new MemoryStream(Encoding.UTF8.GetBytes(name == file ? change(Text[name]) : Text[name])));

    private static string Read(string name)
    {
        using var stream = typeof(ClinicalKnowledgeBase).Assembly.GetManifestResourceStream("ClonusCds.KnowledgeBase." + name)
            ?? throw new InvalidOperationException($"embedded {name} not found");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
