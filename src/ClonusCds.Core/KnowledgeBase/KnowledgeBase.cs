using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;

namespace ClonusCds.Core.KnowledgeBase;

/// <summary>
/// The versioned clinical content: recommendations, pitfalls, cautions, bibliography and
/// vocabularies. Loaded from embedded JSON and validated as a whole; an invalid knowledge base
/// never serves (the constructor throws <see cref="KnowledgeBaseValidationException"/>).
/// </summary>
public sealed class ClinicalKnowledgeBase
{
    private const string ResourcePrefix = "ClonusCds.KnowledgeBase.";

    internal ClinicalKnowledgeBase(
        KnowledgeManifest manifest,
        IReadOnlyList<RecommendationEntry> recommendations,
        IReadOnlyList<CautionEntry> cautions,
        IReadOnlyList<SourceEntry> sources,
        IReadOnlyList<DrugEntry> drugs,
        IReadOnlyList<CommonDrugEntry> commonDrugs,
        IReadOnlyList<ConditionCategoryEntry> conditions,
        ReasoningContent reasoning)
    {
        Manifest = manifest;
        Recommendations = recommendations;
        Cautions = cautions;
        Sources = sources;
        Drugs = drugs;
        CommonDrugs = commonDrugs;
        Conditions = conditions;
        Reasoning = reasoning;

        var problems = KnowledgeBaseValidator.Validate(this);
        if (problems.Count > 0)
        {
            throw new KnowledgeBaseValidationException(problems);
        }

        RecommendationsByCode = recommendations.ToFrozenDictionary(r => r.Code, StringComparer.Ordinal);
        CautionsById = cautions.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        SourcesById = sources.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
        NotImplicatedDrugs = commonDrugs.Select(c => c.ToDrugEntry()).ToArray();
        DrugVocabulary = new DrugVocabulary(drugs.Concat(NotImplicatedDrugs));
        ConditionVocabulary = new ConditionVocabulary(conditions);
        Discriminators = new Triage.DiscriminatorTable(reasoning.Discriminators);
    }

    /// <summary>Version, release date, review status, disclaimer.</summary>
    public KnowledgeManifest Manifest { get; }
    /// <summary>Every recommendation and pitfall.</summary>
    public IReadOnlyList<RecommendationEntry> Recommendations { get; }
    /// <summary>Every caution.</summary>
    public IReadOnlyList<CautionEntry> Cautions { get; }
    /// <summary>The bibliography.</summary>
    public IReadOnlyList<SourceEntry> Sources { get; }
    /// <summary>Drugs the rules know (drugs.json).</summary>
    public IReadOnlyList<DrugEntry> Drugs { get; }
    /// <summary>Commonly prescribed drugs that are known, not implicated (common-drugs.json), as read.</summary>
    public IReadOnlyList<CommonDrugEntry> CommonDrugs { get; }
    /// <summary>The same drugs as vocabulary entries: no roles, <see cref="DrugTier.NotImplicated"/>.</summary>
    public IReadOnlyList<DrugEntry> NotImplicatedDrugs { get; }
    /// <summary>Condition categories and their codes.</summary>
    public IReadOnlyList<ConditionCategoryEntry> Conditions { get; }

    /// <summary>Physiology floor and discriminator table (reasoning.json).</summary>
    public ReasoningContent Reasoning { get; }
    /// <summary>The discriminator table compiled for the engine.</summary>
    public Triage.DiscriminatorTable Discriminators { get; }

    /// <summary>Recommendations and pitfalls by code.</summary>
    public FrozenDictionary<string, RecommendationEntry> RecommendationsByCode { get; }
    /// <summary>Cautions by id.</summary>
    public FrozenDictionary<string, CautionEntry> CautionsById { get; }
    /// <summary>Sources by id.</summary>
    public FrozenDictionary<string, SourceEntry> SourcesById { get; }
    /// <summary>Medication matching.</summary>
    public DrugVocabulary DrugVocabulary { get; }
    /// <summary>Condition matching.</summary>
    public ConditionVocabulary ConditionVocabulary { get; }

    /// <summary>Loads and validates the content embedded in this assembly.</summary>
    public static ClinicalKnowledgeBase LoadEmbedded()
    {
        var assembly = typeof(ClinicalKnowledgeBase).Assembly;
        return Load(name =>
        {
            var stream = assembly.GetManifestResourceStream(ResourcePrefix + name);
            return stream ?? throw new KnowledgeBaseValidationException([$"embedded content file '{name}' is missing"]);
        });
    }

    /// <summary>Loads and validates content from a folder (for reviewing edits before they ship).</summary>
    public static ClinicalKnowledgeBase LoadFromDirectory(string directory) =>
        Load(name => File.OpenRead(Path.Combine(directory, name)));

    internal static ClinicalKnowledgeBase Load(Func<string, Stream> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return new ClinicalKnowledgeBase(
            Read<KnowledgeManifest>(open, "manifest.json"),
            Read<List<RecommendationEntry>>(open, "recommendations.json"),
            Read<List<CautionEntry>>(open, "cautions.json"),
            Read<List<SourceEntry>>(open, "sources.json"),
            Read<List<DrugEntry>>(open, "drugs.json"),
            Read<List<CommonDrugEntry>>(open, "common-drugs.json"),
            Read<List<ConditionCategoryEntry>>(open, "conditions.json"),
            Read<ReasoningContent>(open, "reasoning.json"));
    }

    private static readonly JsonSerializerOptions ContentOptions = CreateContentOptions();

    private static JsonSerializerOptions CreateContentOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // Content is reviewed by clinicians: a misspelt key must fail loudly, not vanish.
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            PropertyNameCaseInsensitive = false,
            NumberHandling = JsonNumberHandling.Strict,
            AllowDuplicateProperties = false,
            // DrugEntry.Tier and DrugClass are set by the loader, never read from drugs.json. Leaving
            // them out of the contract (not merely ignored) makes a "tier" key an unknown property.
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
            {
                Modifiers = { RemoveLoaderSetProperties },
            },
        };
        // Tiers are written as the response's property names (firstLine); categories as snake_case.
        options.Converters.Add(new JsonStringEnumConverter<RecommendationTier>(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        return options;
    }

    private static void RemoveLoaderSetProperties(System.Text.Json.Serialization.Metadata.JsonTypeInfo info)
    {
        if (info.Type != typeof(DrugEntry))
        {
            return;
        }

        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].Name is "tier" or "drugClass")
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    private static T Read<T>(Func<string, Stream> open, string name)
    {
        try
        {
            using var stream = open(name);
            return JsonSerializer.Deserialize<T>(stream, ContentOptions)
                ?? throw new KnowledgeBaseValidationException([$"{name}: empty document"]);
        }
        catch (JsonException ex)
        {
            throw new KnowledgeBaseValidationException([$"{name}: invalid JSON at {ex.Path ?? "?"} (line {ex.LineNumber + 1}): {ex.Message}"]);
        }
        catch (IOException ex)
        {
            throw new KnowledgeBaseValidationException([$"{name}: cannot read ({ex.Message})"]);
        }
    }
}

/// <summary>Thrown when the content fails validation; lists every problem found.</summary>
public sealed class KnowledgeBaseValidationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KnowledgeBaseValidationException(IReadOnlyList<string> problems)
        : base("Knowledge base failed validation:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)))
    {
        Problems = problems;
    }

    /// <summary>Creates the exception.</summary>
    public KnowledgeBaseValidationException() : this([]) { }

    /// <summary>Creates the exception.</summary>
    public KnowledgeBaseValidationException(string message) : this([message]) { }

    /// <summary>Creates the exception.</summary>
    public KnowledgeBaseValidationException(string message, Exception innerException) : base(message, innerException)
    {
        Problems = [message];
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Problems { get; } = [];
}

/// <summary>Lists constant string fields of a class: the codes rules can emit.</summary>
internal static class ConstantList
{
    public static IReadOnlyList<string> Of(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();
}
