using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClonusCds.Core.KnowledgeBase;

namespace ClonusCds.Core.Model;

/// <summary>
/// Writes an <see cref="Assessment"/> as JSON, byte for byte what
/// <c>JsonSerializer.Serialize(assessment, options)</c> writes with the same options, but faster.
/// </summary>
/// <remarks>
/// <para>
/// Why: most of an assessment's JSON is immutable knowledge-base text (recommendation titles,
/// advice, rationale, dosing, cautions, citation titles), much of it with non-ASCII characters.
/// The reflection serializer scans, escapes and transcodes every one of those strings from UTF-16
/// to UTF-8 on every response. This writer does that once, at construction, with
/// <see cref="JsonEncodedText"/>, and copies the ready bytes afterwards. Property names and enum
/// strings are pre-encoded the same way, and the writer walks the model with direct calls instead
/// of the serializer's metadata-driven loop.
/// </para>
/// <para>
/// A cached encoding is used only when the string in the assessment is the very instance the
/// knowledge base holds (<see cref="object.ReferenceEquals"/>): an item copied with a different
/// text, or built by hand, is encoded normally, so the output can never be stale. Everything else
/// (rationale sentences, "because", trace details and inputs, unrecognised input values, which may
/// carry patient text) goes through the ordinary <see cref="Utf8JsonWriter"/> string APIs, the
/// same ones the serializer calls, so escaping and the handling of invalid UTF-16 are identical.
/// </para>
/// <para>
/// The output is tied to the options it was built for: property names come from the serializer's
/// own metadata for those options (the constructor refuses options or model changes it cannot
/// reproduce), enum strings from serializing each value with those options, and escaping from
/// their <see cref="JsonSerializerOptions.Encoder"/>. ClonusJson.Options uses the default encoder;
/// ASP.NET Core's HTTP JSON options use <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>,
/// so the API builds its writer from those. Byte identity is proven by tests, not assumed.
/// </para>
/// </remarks>
public sealed class AssessmentJsonWriter
{
    private readonly JsonSerializerOptions _options;
    private readonly PropertyNames _n;
    private readonly EnumText<Etiology> _etiology;
    private readonly EnumText<EtiologySubtype> _subtype;
    private readonly EnumText<Urgency> _urgency;
    private readonly EnumText<Severity> _severity;
    private readonly CachedText _kbVersion;
    private readonly CachedText _disclaimer;
    private readonly FrozenDictionary<string, RecommendationText> _recommendations;
    private readonly FrozenDictionary<string, CautionText> _cautions;
    private readonly FrozenDictionary<string, CitationText> _sources;

    /// <summary>Creates a writer for <see cref="ClonusJson.Options"/> (default encoder).</summary>
    public AssessmentJsonWriter(ClinicalKnowledgeBase knowledgeBase) : this(knowledgeBase, ClonusJson.Options) { }

    /// <summary>
    /// Creates a writer whose output equals the serializer's with <paramref name="options"/>, which
    /// must carry the contract's settings (<see cref="ClonusJson.Configure"/>) and a type-info
    /// resolver. Throws <see cref="InvalidOperationException"/> when the options or the model ask
    /// for something this writer does not reproduce (indentation, ignored or reordered properties,
    /// custom converters, numbers as strings, reference handling).
    /// </summary>
    public AssessmentJsonWriter(ClinicalKnowledgeBase knowledgeBase, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        ArgumentNullException.ThrowIfNull(options);
        if (options.WriteIndented || options.DefaultIgnoreCondition != System.Text.Json.Serialization.JsonIgnoreCondition.Never
            || (options.NumberHandling & System.Text.Json.Serialization.JsonNumberHandling.WriteAsString) != 0 || options.ReferenceHandler is not null)
        {
            throw new InvalidOperationException(
                "AssessmentJsonWriter reproduces compact output with every property written, numbers as numbers and no reference handling; these options differ.");
        }

        _options = options;
        Encoder = options.Encoder;
        // The serializer writes through a Utf8JsonWriter with these settings; validation is
        // skipped because the writer's call sequence is fixed and proven by the tests.
        WriterOptions = new JsonWriterOptions { Encoder = options.Encoder, Indented = false, SkipValidation = true };
        _n = new PropertyNames(options);
        _etiology = new EnumText<Etiology>(options);
        _subtype = new EnumText<EtiologySubtype>(options);
        _urgency = new EnumText<Urgency>(options);
        _severity = new EnumText<Severity>(options);

        _kbVersion = Cache(knowledgeBase.Manifest.Version);
        _disclaimer = Cache(knowledgeBase.Manifest.Disclaimer);
        _recommendations = knowledgeBase.Recommendations.ToFrozenDictionary(r => r.Code, r => new RecommendationText(
            Cache(r.Code), Cache(r.Title), Cache(r.Text), Cache(r.Rationale), Cache(r.Dosing), CacheAll(r.Citations)), StringComparer.Ordinal);
        _cautions = knowledgeBase.Cautions.ToFrozenDictionary(c => c.Id, c => new CautionText(
            Cache(c.Id), Cache(c.Kind), Cache(c.Text), CacheAll(c.Citations)), StringComparer.Ordinal);
        // SourceEntry.Citation is built on first use ("Authors. Journal" as its Source) and kept, so
        // reading it here captures the instances every assessment cites. Should another Citation
        // instance ever be built (two first uses racing), its strings are just encoded normally.
        _sources = knowledgeBase.Sources.ToFrozenDictionary(s => s.Id, s => new CitationText(
            Cache(s.Citation.Id), Cache(s.Citation.Title), Cache(s.Citation.Source), Cache(s.Citation.Url)), StringComparer.Ordinal);
    }

    /// <summary>The encoder in use (null: <see cref="JavaScriptEncoder.Default"/>).</summary>
    public JavaScriptEncoder? Encoder { get; }

    /// <summary>Options for the <see cref="Utf8JsonWriter"/> passed to <see cref="Write(Utf8JsonWriter, Assessment)"/>: compact, this writer's encoder, no validation.</summary>
    public JsonWriterOptions WriterOptions { get; }

    /// <summary>
    /// Writes <paramref name="assessment"/> as one JSON value (null as <c>null</c>, like the
    /// serializer). The caller owns <paramref name="writer"/> and flushes it. Create it with
    /// <see cref="WriterOptions"/>: with another encoder the pre-encoded text and the rest would
    /// be escaped differently.
    /// </summary>
    public void Write(Utf8JsonWriter writer, Assessment assessment) => Write(writer, assessment, AssessmentView.Full);

    /// <summary>
    /// Writes the assessment in the given view: <see cref="AssessmentView.Summary"/> leaves out the
    /// rule trace and the citation bodies (every item keeps its citation ids).
    /// </summary>
    public void Write(Utf8JsonWriter writer, Assessment assessment, AssessmentView view)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (assessment is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartObject();
        writer.WriteString(n.AssessmentId, assessment.AssessmentId);
        WriteKnown(writer, n.KnowledgeBaseVersion, assessment.KnowledgeBaseVersion, _kbVersion);
        writer.WritePropertyName(n.Summary);
        WriteSummary(writer, assessment.Summary);
        writer.WritePropertyName(n.Etiology);
        WriteEtiology(writer, assessment.Etiology);
        writer.WritePropertyName(n.Urgency);
        _urgency.Write(writer, assessment.Urgency, _options);
        writer.WritePropertyName(n.SerotoninToxicity);
        WriteSerotoninToxicity(writer, assessment.SerotoninToxicity);
        writer.WritePropertyName(n.Recommendations);
        WriteGroups(writer, assessment.Recommendations);
        writer.WritePropertyName(n.Pitfalls);
        WriteItems(writer, assessment.Pitfalls);
        writer.WritePropertyName(n.MissingData);
        WriteMissingData(writer, assessment.MissingData);
        writer.WritePropertyName(n.UnrecognizedInputs);
        WriteUnrecognized(writer, assessment.UnrecognizedInputs);
        if (view != AssessmentView.Summary)
        {
            writer.WritePropertyName(n.Trace);
            WriteTrace(writer, assessment.Trace);
            writer.WritePropertyName(n.Citations);
            WriteCitations(writer, assessment.Citations);
        }

        WriteKnown(writer, n.Disclaimer, assessment.Disclaimer, _disclaimer);
        writer.WriteEndObject();
    }

    private void WriteSummary(Utf8JsonWriter writer, AssessmentSummary? s)
    {
        if (s is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartObject();
        writer.WriteString(n.Headline, s.Headline);
        writer.WritePropertyName(n.FirstActions);
        WriteStrings(writer, s.FirstActions);
        writer.WritePropertyName(n.KeyPitfalls);
        WriteStrings(writer, s.KeyPitfalls);
        writer.WritePropertyName(n.Missing);
        WriteStrings(writer, s.Missing);
        writer.WriteString(n.Text, s.Text);
        writer.WriteString(n.Markdown, s.Markdown);
        writer.WriteEndObject();
    }

    private void WriteEtiology(Utf8JsonWriter writer, EtiologyAssessment? e)
    {
        if (e is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartObject();
        writer.WritePropertyName(n.Primary);
        _etiology.Write(writer, e.Primary, _options);
        writer.WritePropertyName(n.Subtype);
        _subtype.Write(writer, e.Subtype, _options);
        writer.WritePropertyName(n.Differentials);
        if (e.Differentials is { } differentials)
        {
            writer.WriteStartArray();
            for (var i = 0; i < differentials.Count; i++)
            {
                var d = differentials[i];
                if (d is null)
                {
                    writer.WriteNullValue();
                    continue;
                }

                writer.WriteStartObject();
                writer.WritePropertyName(n.Etiology);
                _etiology.Write(writer, d.Etiology, _options);
                writer.WritePropertyName(n.Subtype);
                _subtype.Write(writer, d.Subtype, _options);
                writer.WriteString(n.Reason, d.Reason);
                writer.WriteBoolean(n.NotExcluded, d.NotExcluded);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName(n.Rationale);
        WriteStrings(writer, e.Rationale);
        writer.WriteEndObject();
    }

    private void WriteSerotoninToxicity(Utf8JsonWriter writer, SerotoninToxicityAssessment? s)
    {
        if (s is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartObject();
        writer.WritePropertyName(n.SerotonergicAgents);
        if (s.SerotonergicAgents is { } agents)
        {
            writer.WriteStartArray();
            for (var i = 0; i < agents.Count; i++)
            {
                var a = agents[i];
                if (a is null)
                {
                    writer.WriteNullValue();
                    continue;
                }

                writer.WriteStartObject();
                writer.WriteString(n.Name, a.Name);
                writer.WriteString(n.Rxcui, a.Rxcui);
                writer.WriteString(n.Class, a.Class);
                writer.WriteString(n.RiskTier, a.RiskTier);
                writer.WriteString(n.EvidenceTier, a.EvidenceTier);
                writer.WriteString(n.Status, a.Status);
                writer.WriteString(n.MatchedBy, a.MatchedBy);
                writer.WriteNumber(n.MedicationIndex, a.MedicationIndex);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNullValue();
        }

        if (s.HunterCriteriaMet is { } met)
        {
            writer.WriteBoolean(n.HunterCriteriaMet, met);
        }
        else
        {
            writer.WriteNull(n.HunterCriteriaMet);
        }

        writer.WritePropertyName(n.HunterRulesFired);
        WriteNumbers(writer, s.HunterRulesFired);
        writer.WritePropertyName(n.HunterRulesUndetermined);
        WriteNumbers(writer, s.HunterRulesUndetermined);
        writer.WritePropertyName(n.Severity);
        _severity.Write(writer, s.Severity, _options);
        writer.WriteBoolean(n.ExposureCurrent, s.ExposureCurrent);
        writer.WriteEndObject();
    }

    private void WriteGroups(Utf8JsonWriter writer, RecommendationGroups? g)
    {
        if (g is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartObject();
        writer.WritePropertyName(n.FirstLine);
        WriteItems(writer, g.FirstLine);
        writer.WritePropertyName(n.Adjunct);
        WriteItems(writer, g.Adjunct);
        writer.WritePropertyName(n.Refractory);
        WriteItems(writer, g.Refractory);
        writer.WritePropertyName(n.Monitoring);
        WriteItems(writer, g.Monitoring);
        writer.WritePropertyName(n.Workup);
        WriteItems(writer, g.Workup);
        writer.WriteEndObject();
    }

    private void WriteItems(Utf8JsonWriter writer, IReadOnlyList<RecommendationItem>? items)
    {
        if (items is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartArray();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null)
            {
                writer.WriteNullValue();
                continue;
            }

            // Unknown code (a hand-built item): every field is encoded as it comes.
            var cached = item.Code is not null && _recommendations.TryGetValue(item.Code, out var r) ? r : RecommendationText.None;
            writer.WriteStartObject();
            WriteKnown(writer, n.Code, item.Code, cached.Code);
            WriteKnown(writer, n.Title, item.Title, cached.Title);
            WriteKnown(writer, n.Text, item.Text, cached.Text);
            WriteKnown(writer, n.Rationale, item.Rationale, cached.Rationale);
            WriteKnown(writer, n.Dosing, item.Dosing, cached.Dosing);
            writer.WritePropertyName(n.Citations);
            WriteKnownStrings(writer, item.Citations, cached.Citations);
            writer.WritePropertyName(n.Cautions);
            WriteCautions(writer, item.Cautions);
            writer.WriteString(n.FiredBy, item.FiredBy);
            writer.WriteString(n.Because, item.Because);
            writer.WriteString(n.ServesDifferential, item.ServesDifferential);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private void WriteCautions(Utf8JsonWriter writer, IReadOnlyList<CautionItem>? cautions)
    {
        if (cautions is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartArray();
        for (var i = 0; i < cautions.Count; i++)
        {
            var c = cautions[i];
            if (c is null)
            {
                writer.WriteNullValue();
                continue;
            }

            var cached = c.Id is not null && _cautions.TryGetValue(c.Id, out var t) ? t : CautionText.None;
            writer.WriteStartObject();
            WriteKnown(writer, n.Id, c.Id, cached.Id);
            WriteKnown(writer, n.Kind, c.Kind, cached.Kind);
            WriteKnown(writer, n.Text, c.Text, cached.Text);
            writer.WritePropertyName(n.Citations);
            WriteKnownStrings(writer, c.Citations, cached.Citations);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private void WriteMissingData(Utf8JsonWriter writer, IReadOnlyList<MissingDatum>? missing)
    {
        if (missing is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartArray();
        for (var i = 0; i < missing.Count; i++)
        {
            var m = missing[i];
            if (m is null)
            {
                writer.WriteNullValue();
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString(n.Field, m.Field);
            writer.WriteString(n.Reason, m.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private void WriteUnrecognized(Utf8JsonWriter writer, IReadOnlyList<UnrecognizedInput>? inputs)
    {
        if (inputs is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var u = inputs[i];
            if (u is null)
            {
                writer.WriteNullValue();
                continue;
            }

            // Value is what the client sent (patient text): always encoded as it comes.
            writer.WriteStartObject();
            writer.WriteString(n.Kind, u.Kind);
            writer.WriteString(n.Path, u.Path);
            writer.WriteString(n.Value, u.Value);
            writer.WriteString(n.Reason, u.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private void WriteTrace(Utf8JsonWriter writer, IReadOnlyList<TraceEntry>? trace)
    {
        if (trace is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartArray();
        for (var i = 0; i < trace.Count; i++)
        {
            var t = trace[i];
            if (t is null)
            {
                writer.WriteNullValue();
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString(n.Rule, t.Rule);
            writer.WriteString(n.Outcome, t.Outcome);
            writer.WriteString(n.Detail, t.Detail);
            writer.WritePropertyName(n.Inputs);
            WriteStrings(writer, t.Inputs);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private void WriteCitations(Utf8JsonWriter writer, IReadOnlyList<Citation>? citations)
    {
        if (citations is null)
        {
            writer.WriteNullValue();
            return;
        }

        var n = _n;
        writer.WriteStartArray();
        for (var i = 0; i < citations.Count; i++)
        {
            var c = citations[i];
            if (c is null)
            {
                writer.WriteNullValue();
                continue;
            }

            var cached = c.Id is not null && _sources.TryGetValue(c.Id, out var t) ? t : CitationText.None;
            writer.WriteStartObject();
            WriteKnown(writer, n.Id, c.Id, cached.Id);
            WriteKnown(writer, n.Title, c.Title, cached.Title);
            WriteKnown(writer, n.Source, c.Source, cached.Source);
            if (c.Year is { } year)
            {
                writer.WriteNumber(n.Year, year);
            }
            else
            {
                writer.WriteNull(n.Year);
            }

            WriteKnown(writer, n.Url, c.Url, cached.Url);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>A string property: the cached bytes when <paramref name="value"/> is the cached instance.</summary>
    private static void WriteKnown(Utf8JsonWriter writer, JsonEncodedText name, string? value, in CachedText cached)
    {
        if (value is not null && ReferenceEquals(value, cached.Source))
        {
            writer.WriteString(name, cached.Encoded);
        }
        else
        {
            // Null is written as null, as the serializer does.
            writer.WriteString(name, value);
        }
    }

    /// <summary>A list of strings, position by position against the knowledge base's own list.</summary>
    private static void WriteKnownStrings(Utf8JsonWriter writer, IReadOnlyList<string>? values, CachedText[] cached)
    {
        if (values is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is not null && i < cached.Length && ReferenceEquals(value, cached[i].Source))
            {
                writer.WriteStringValue(cached[i].Encoded);
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter writer, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        for (var i = 0; i < values.Count; i++)
        {
            writer.WriteStringValue(values[i]);
        }

        writer.WriteEndArray();
    }

    private static void WriteNumbers(Utf8JsonWriter writer, IReadOnlyList<int>? values)
    {
        if (values is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartArray();
        for (var i = 0; i < values.Count; i++)
        {
            writer.WriteNumberValue(values[i]);
        }

        writer.WriteEndArray();
    }

    private CachedText Cache(string? value)
    {
        if (value is null)
        {
            return default;
        }

        try
        {
            return new CachedText(value, JsonEncodedText.Encode(value, Encoder));
        }
        catch (ArgumentException)
        {
            // Invalid UTF-16 (a lone surrogate): JsonEncodedText refuses it, while the writer's
            // string APIs (and so the serializer) write U+FFFD. Leave it uncached so it takes that path.
            return default;
        }
    }

    private CachedText[] CacheAll(IReadOnlyList<string>? values) => values is null ? [] : [.. values.Select(Cache)];

    /// <summary>A knowledge-base string and its encoding; <see cref="Source"/> null when nothing is cached.</summary>
    private readonly record struct CachedText(string? Source, JsonEncodedText Encoded);

    private sealed record RecommendationText(CachedText Code, CachedText Title, CachedText Text, CachedText Rationale, CachedText Dosing, CachedText[] Citations)
    {
        public static readonly RecommendationText None = new(default, default, default, default, default, []);
    }

    private sealed record CautionText(CachedText Id, CachedText Kind, CachedText Text, CachedText[] Citations)
    {
        public static readonly CautionText None = new(default, default, default, []);
    }

    private sealed record CitationText(CachedText Id, CachedText Title, CachedText Source, CachedText Url)
    {
        public static readonly CitationText None = new(default, default, default, default);
    }

    /// <summary>
    /// The string of each value of an enum, taken from the serializer itself (so whatever the
    /// options' enum converter writes), encoded once.
    /// </summary>
    private sealed class EnumText<T> where T : struct, Enum
    {
        private readonly JsonEncodedText?[] _byValue;

        public EnumText(JsonSerializerOptions options)
        {
            // Write reads the value as an int; every contract enum is int-based.
            if (Enum.GetUnderlyingType(typeof(T)) != typeof(int))
            {
                throw new InvalidOperationException($"{typeof(T).Name} is not int-based.");
            }

            var values = Enum.GetValues<T>();
            _byValue = new JsonEncodedText?[values.Length];
            foreach (var value in values)
            {
                var index = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                var json = JsonSerializer.SerializeToUtf8Bytes(value, options);
                if ((uint)index < (uint)_byValue.Length && json.Length > 0 && json[0] == (byte)'"')
                {
                    _byValue[index] = JsonEncodedText.Encode(JsonSerializer.Deserialize<string>(json)!, options.Encoder);
                }
            }
        }

        public void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            var index = Unsafe.As<T, int>(ref value);
            if ((uint)index < (uint)_byValue.Length && _byValue[index] is { } text)
            {
                writer.WriteStringValue(text);
            }
            else
            {
                // Not a declared value: let the serializer decide (it refuses, as integers are not allowed).
                JsonSerializer.Serialize(writer, value, options);
            }
        }

        public void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options)
        {
            if (value is { } v)
            {
                Write(writer, v, options);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>
    /// Every property name, taken from the serializer's metadata for the options (so the naming
    /// policy is the options' own) and checked against the order this writer writes them in.
    /// </summary>
    private sealed class PropertyNames
    {
        public readonly JsonEncodedText Summary, Headline, FirstActions, KeyPitfalls, Missing, Markdown;
        public readonly JsonEncodedText AssessmentId, KnowledgeBaseVersion, Etiology, Urgency, SerotoninToxicity, Recommendations,
            Pitfalls, MissingData, UnrecognizedInputs, Trace, Citations, Disclaimer;
        public readonly JsonEncodedText Primary, Subtype, Differentials, Rationale, Reason, NotExcluded;
        public readonly JsonEncodedText SerotonergicAgents, HunterCriteriaMet, HunterRulesFired, HunterRulesUndetermined, Severity, ExposureCurrent;
        public readonly JsonEncodedText Name, Rxcui, Class, RiskTier, EvidenceTier, Status, MatchedBy, MedicationIndex;
        public readonly JsonEncodedText FirstLine, Adjunct, Refractory, Monitoring, Workup;
        public readonly JsonEncodedText Code, Title, Text, Dosing, Cautions, FiredBy, Because, ServesDifferential;
        public readonly JsonEncodedText Id, Kind, Field, Path, Value, Rule, Outcome, Detail, Inputs, Source, Year, Url;

        public PropertyNames(JsonSerializerOptions options)
        {
            var p = new Members<Assessment>(options);
            AssessmentId = p.Next(nameof(Assessment.AssessmentId));
            KnowledgeBaseVersion = p.Next(nameof(Assessment.KnowledgeBaseVersion));
            Summary = p.Next(nameof(Assessment.Summary));
            Etiology = p.Next(nameof(Assessment.Etiology));
            Urgency = p.Next(nameof(Assessment.Urgency));
            SerotoninToxicity = p.Next(nameof(Assessment.SerotoninToxicity));
            Recommendations = p.Next(nameof(Assessment.Recommendations));
            Pitfalls = p.Next(nameof(Assessment.Pitfalls));
            MissingData = p.Next(nameof(Assessment.MissingData));
            UnrecognizedInputs = p.Next(nameof(Assessment.UnrecognizedInputs));
            Trace = p.Next(nameof(Assessment.Trace));
            Citations = p.Next(nameof(Assessment.Citations));
            Disclaimer = p.Next(nameof(Assessment.Disclaimer));
            p.End();

            var e = new Members<EtiologyAssessment>(options);
            Primary = e.Next(nameof(EtiologyAssessment.Primary));
            Subtype = e.Next(nameof(EtiologyAssessment.Subtype));
            Differentials = e.Next(nameof(EtiologyAssessment.Differentials));
            Rationale = e.Next(nameof(EtiologyAssessment.Rationale));
            e.End();

            var d = new Members<Differential>(options);
            d.Next(nameof(Differential.Etiology), Etiology);
            d.Next(nameof(Differential.Subtype), Subtype);
            Reason = d.Next(nameof(Differential.Reason));
            NotExcluded = d.Next(nameof(Differential.NotExcluded));
            d.End();

            var s = new Members<SerotoninToxicityAssessment>(options);
            SerotonergicAgents = s.Next(nameof(SerotoninToxicityAssessment.SerotonergicAgents));
            HunterCriteriaMet = s.Next(nameof(SerotoninToxicityAssessment.HunterCriteriaMet));
            HunterRulesFired = s.Next(nameof(SerotoninToxicityAssessment.HunterRulesFired));
            HunterRulesUndetermined = s.Next(nameof(SerotoninToxicityAssessment.HunterRulesUndetermined));
            Severity = s.Next(nameof(SerotoninToxicityAssessment.Severity));
            ExposureCurrent = s.Next(nameof(SerotoninToxicityAssessment.ExposureCurrent));
            s.End();

            var a = new Members<SerotonergicAgentMatch>(options);
            Name = a.Next(nameof(SerotonergicAgentMatch.Name));
            Rxcui = a.Next(nameof(SerotonergicAgentMatch.Rxcui));
            Class = a.Next(nameof(SerotonergicAgentMatch.Class));
            RiskTier = a.Next(nameof(SerotonergicAgentMatch.RiskTier));
            EvidenceTier = a.Next(nameof(SerotonergicAgentMatch.EvidenceTier));
            Status = a.Next(nameof(SerotonergicAgentMatch.Status));
            MatchedBy = a.Next(nameof(SerotonergicAgentMatch.MatchedBy));
            MedicationIndex = a.Next(nameof(SerotonergicAgentMatch.MedicationIndex));
            a.End();

            var g = new Members<RecommendationGroups>(options);
            FirstLine = g.Next(nameof(RecommendationGroups.FirstLine));
            Adjunct = g.Next(nameof(RecommendationGroups.Adjunct));
            Refractory = g.Next(nameof(RecommendationGroups.Refractory));
            Monitoring = g.Next(nameof(RecommendationGroups.Monitoring));
            Workup = g.Next(nameof(RecommendationGroups.Workup));
            g.End();

            var r = new Members<RecommendationItem>(options);
            Code = r.Next(nameof(RecommendationItem.Code));
            Title = r.Next(nameof(RecommendationItem.Title));
            Text = r.Next(nameof(RecommendationItem.Text));
            r.Next(nameof(RecommendationItem.Rationale), Rationale);
            Dosing = r.Next(nameof(RecommendationItem.Dosing));
            r.Next(nameof(RecommendationItem.Citations), Citations);
            Cautions = r.Next(nameof(RecommendationItem.Cautions));
            FiredBy = r.Next(nameof(RecommendationItem.FiredBy));
            Because = r.Next(nameof(RecommendationItem.Because));
            ServesDifferential = r.Next(nameof(RecommendationItem.ServesDifferential));
            r.End();

            var c = new Members<CautionItem>(options);
            Id = c.Next(nameof(CautionItem.Id));
            Kind = c.Next(nameof(CautionItem.Kind));
            c.Next(nameof(CautionItem.Text), Text);
            c.Next(nameof(CautionItem.Citations), Citations);
            c.End();

            var m = new Members<MissingDatum>(options);
            Field = m.Next(nameof(MissingDatum.Field));
            m.Next(nameof(MissingDatum.Reason), Reason);
            m.End();

            var u = new Members<UnrecognizedInput>(options);
            u.Next(nameof(UnrecognizedInput.Kind), Kind);
            Path = u.Next(nameof(UnrecognizedInput.Path));
            Value = u.Next(nameof(UnrecognizedInput.Value));
            u.Next(nameof(UnrecognizedInput.Reason), Reason);
            u.End();

            var t = new Members<TraceEntry>(options);
            Rule = t.Next(nameof(TraceEntry.Rule));
            Outcome = t.Next(nameof(TraceEntry.Outcome));
            Detail = t.Next(nameof(TraceEntry.Detail));
            Inputs = t.Next(nameof(TraceEntry.Inputs));
            t.End();

            var y = new Members<AssessmentSummary>(options);
            Headline = y.Next(nameof(AssessmentSummary.Headline));
            FirstActions = y.Next(nameof(AssessmentSummary.FirstActions));
            KeyPitfalls = y.Next(nameof(AssessmentSummary.KeyPitfalls));
            Missing = y.Next(nameof(AssessmentSummary.Missing));
            y.Next(nameof(AssessmentSummary.Text), Text);
            Markdown = y.Next(nameof(AssessmentSummary.Markdown));
            y.End();

            var ci = new Members<Citation>(options);
            ci.Next(nameof(Citation.Id), Id);
            ci.Next(nameof(Citation.Title), Title);
            Source = ci.Next(nameof(Citation.Source));
            Year = ci.Next(nameof(Citation.Year));
            Url = ci.Next(nameof(Citation.Url));
            ci.End();
        }
    }

    /// <summary>Walks a type's serialization metadata in order, checking each property against the writer's expectation.</summary>
    private sealed class Members<T>
    {
        private readonly JsonSerializerOptions _options;
        private readonly IList<JsonPropertyInfo> _properties;
        private int _next;

        public Members(JsonSerializerOptions options)
        {
            _options = options;
            _properties = options.GetTypeInfo(typeof(T)).Properties;
        }

        /// <summary>The encoded JSON name of the next property, which must be the CLR property <paramref name="member"/>.</summary>
        public JsonEncodedText Next(string member)
        {
            var property = _next < _properties.Count ? _properties[_next] : null;
            _next++;
            if (property is null || (property.AttributeProvider as MemberInfo)?.Name != member
                || property.CustomConverter is not null || property.ShouldSerialize is not null || property.Get is null)
            {
                throw new InvalidOperationException(
                    $"AssessmentJsonWriter expects {typeof(T).Name}.{member} as JSON property {_next}, written always with the options' converters; "
                    + $"the serializer has {(property is null ? "fewer properties" : $"'{property.Name}'")}. Update the writer with the model.");
            }

            return JsonEncodedText.Encode(property.Name, _options.Encoder);
        }

        /// <summary>As <see cref="Next(string)"/>, for a name this writer already holds (it must encode the same).</summary>
        public void Next(string member, JsonEncodedText expected)
        {
            if (!Next(member).Equals(expected))
            {
                throw new InvalidOperationException($"AssessmentJsonWriter expects {typeof(T).Name}.{member} to share its JSON name with other types' {member}.");
            }
        }

        public void End()
        {
            if (_next != _properties.Count)
            {
                throw new InvalidOperationException(
                    $"{typeof(T).Name} has {_properties.Count} JSON properties; AssessmentJsonWriter writes {_next}. Update the writer with the model.");
            }
        }
    }
}
