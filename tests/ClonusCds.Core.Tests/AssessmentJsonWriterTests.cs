using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;

namespace ClonusCds.Core.Tests;

/// <summary>
/// <see cref="AssessmentJsonWriter"/> writes exactly the bytes the reflection serializer writes,
/// for both encoders in use: the default one (ClonusJson.Options) and the relaxed one ASP.NET Core's
/// HTTP JSON options use (the assessments endpoint).
/// </summary>
public sealed class AssessmentJsonWriterTests
{
    /// <summary>ClonusJson.Options with the encoder ASP.NET Core's HTTP JSON options carry.</summary>
    internal static readonly JsonSerializerOptions Relaxed = CreateRelaxed();

    internal static readonly AssessmentJsonWriter DefaultWriter = new(Engine.Kb);
    internal static readonly AssessmentJsonWriter RelaxedWriter = new(Engine.Kb, Relaxed);

    private static JsonSerializerOptions CreateRelaxed()
    {
        var options = new JsonSerializerOptions(ClonusJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Both writers' output equals the serializer's with their options, or both throw the same exception type.</summary>
    internal static void AssertIdentical(Assessment assessment, string? because = null)
    {
        AssertIdentical(DefaultWriter, ClonusJson.Options, assessment, because);
        AssertIdentical(RelaxedWriter, Relaxed, assessment, because);
    }

    private static void AssertIdentical(AssessmentJsonWriter writer, JsonSerializerOptions options, Assessment assessment, string? because)
    {
        byte[]? expected = null;
        Exception? expectedError = null;
        try
        {
            expected = JsonSerializer.SerializeToUtf8Bytes(assessment, options);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            expectedError = ex;
        }

        byte[]? actual = null;
        Exception? actualError = null;
        try
        {
            actual = Fast(writer, assessment);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            actualError = ex;
        }

        var label = $"{(options.Encoder is null ? "default" : "relaxed")} encoder{(because is null ? "" : ", " + because)}";
        if (expectedError is not null || actualError is not null)
        {
            Assert.True(expectedError?.GetType() == actualError?.GetType(),
                $"{label}: serializer {expectedError?.GetType().Name ?? "wrote"}, fast writer {actualError?.GetType().Name ?? "wrote"}");
            return;
        }

        if (!expected!.AsSpan().SequenceEqual(actual))
        {
            var e = Encoding.UTF8.GetString(expected!);
            var a = Encoding.UTF8.GetString(actual!);
            var at = 0;
            while (at < Math.Min(e.Length, a.Length) && e[at] == a[at])
            {
                at++;
            }

            Assert.Fail($"{label}: first difference at char {at}\nserializer: …{e[Math.Max(0, at - 80)..Math.Min(e.Length, at + 80)]}\nfast:       …{a[Math.Max(0, at - 80)..Math.Min(a.Length, at + 80)]}");
        }
    }

    internal static byte[] Fast(AssessmentJsonWriter writer, Assessment assessment)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, writer.WriterOptions))
        {
            writer.Write(json, assessment);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static TheoryData<string, string> Cases() => ClinicalCaseTests.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_clinical_case_is_written_as_the_serializer_writes_it(string file, string id)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cases", file)));
        var request = doc.RootElement.EnumerateArray().First(c => c.GetProperty("id").GetString() == id).GetProperty("request");
        AssertIdentical(Engine.Assess(request.Deserialize<PatientContext>(ClonusJson.Options)!), id);
    }

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Examples"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void The_seven_worked_examples_are_present() => Assert.Equal(7, Examples().Count);

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_worked_example_is_written_as_the_serializer_writes_it(string file)
    {
        AssertIdentical(Engine.Assess(Example(file)), file);
    }

    internal static PatientContext Example(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", file)));
        return doc.RootElement.GetProperty("value").Deserialize<PatientContext>(ClonusJson.Options)!;
    }

    /// <summary>A rich assessment to vary: severe serotonin toxicity, many items, cautions, dosing, citations.</summary>
    private static Assessment Rich() => Engine.Assess(Example("01-serotonin-toxicity-severe.json"));

    private static IEnumerable<RecommendationItem> AllItems(Assessment a) =>
        a.Recommendations.FirstLine.Concat(a.Recommendations.Adjunct).Concat(a.Recommendations.Refractory)
            .Concat(a.Recommendations.Monitoring).Concat(a.Recommendations.Workup).Concat(a.Pitfalls);

    [Fact]
    public void The_rich_assessment_exercises_every_cached_field()
    {
        var a = Rich();
        Assert.NotNull(a.SerotoninToxicity);
        Assert.Contains(AllItems(a), i => i.Dosing is not null);
        Assert.Contains(AllItems(a), i => i.Dosing is null);
        Assert.Contains(AllItems(a), i => i.Cautions.Count > 0);
        Assert.Contains(a.Citations, c => c.Url is not null);
        Assert.NotEmpty(a.Pitfalls);
        // The cache is hit: the knowledge base's strings flow through by reference.
        var item = AllItems(a).First();
        Assert.Same(Engine.Kb.RecommendationsByCode[item.Code].Text, item.Text);
    }

    [Fact]
    public void Serotonin_toxicity_absent_and_every_hunter_and_severity_state()
    {
        var a = Rich();
        AssertIdentical(a with { SerotoninToxicity = null }, "serotoninToxicity null");
        foreach (var met in new bool?[] { null, true, false })
        {
            foreach (var severity in new Severity?[] { null, Severity.Mild, Severity.Moderate, Severity.Severe })
            {
                AssertIdentical(a with
                {
                    SerotoninToxicity = a.SerotoninToxicity! with { HunterCriteriaMet = met, Severity = severity, ExposureCurrent = met ?? false },
                }, $"hunterCriteriaMet {met}, severity {severity}");
            }
        }

        AssertIdentical(a with
        {
            SerotoninToxicity = a.SerotoninToxicity! with
            {
                SerotonergicAgents = [], HunterRulesFired = [], HunterRulesUndetermined = [1, 2, 3, 4, 5, int.MaxValue, -1],
            },
        }, "empty agents and rule lists");
        AssertIdentical(a with
        {
            SerotoninToxicity = a.SerotoninToxicity! with
            {
                SerotonergicAgents = [new SerotonergicAgentMatch("x", null, "ssri", "standard", "moderate", "draft", "name", 0)],
            },
        }, "agent without rxcui");
    }

    [Fact]
    public void Every_enum_value_is_written_as_the_converter_writes_it()
    {
        var a = Rich();
        foreach (var e in Enum.GetValues<Etiology>())
        {
            foreach (var s in Enum.GetValues<EtiologySubtype>().Cast<EtiologySubtype?>().Append(null))
            {
                AssertIdentical(a with
                {
                    Etiology = a.Etiology with { Primary = e, Subtype = s, Differentials = [new Differential(e, s, "r")] },
                }, $"{e}/{s}");
            }
        }

        foreach (var u in Enum.GetValues<Urgency>())
        {
            AssertIdentical(a with { Urgency = u }, u.ToString());
        }
    }

    [Fact]
    public void A_value_outside_the_enum_fails_as_the_serializer_fails()
    {
        var a = Rich();
        AssertIdentical(a with { Urgency = (Urgency)42 }, "urgency 42");
        AssertIdentical(a with { Etiology = a.Etiology with { Subtype = (EtiologySubtype)(-1) } }, "subtype -1");
        Assert.ThrowsAny<JsonException>(() => Fast(DefaultWriter, a with { Urgency = (Urgency)42 }));
    }

    [Fact]
    public void Empty_lists_null_subtype_dosing_year_and_url()
    {
        var a = Rich();
        AssertIdentical(a with
        {
            Etiology = a.Etiology with { Subtype = null, Differentials = [], Rationale = [] },
            Recommendations = new RecommendationGroups { FirstLine = [], Adjunct = [], Refractory = [], Monitoring = [], Workup = [] },
            Pitfalls = [],
            MissingData = [],
            UnrecognizedInputs = [],
            Trace = [],
            Citations = [],
        }, "all empty");

        var items = AllItems(a).ToList();
        var withDosing = items.First(i => i.Dosing is not null);
        var withoutDosing = items.First(i => i.Dosing is null);
        AssertIdentical(a with
        {
            Pitfalls = [withDosing with { Dosing = null }, withoutDosing with { Dosing = "2 mg \u00B0 \u2192 4 mg" }, withDosing with { Citations = [], Cautions = [] }],
            Citations = [new Citation("X", "T", "S", null, null), new Citation("Y", "T", "S", 1999, "https://example.org/a?b=c&d=<e>"), new Citation("Z", "", "", 0, "")],
        }, "dosing, year and url");
    }

    [Fact]
    public void Null_where_the_model_forbids_it_is_still_written_as_the_serializer_writes_it()
    {
        // Not reachable from the engine; a hand-built assessment could do it.
        var a = Rich();
        AssertIdentical(a with
        {
            Etiology = a.Etiology with { Differentials = null!, Rationale = [null!, "x"] },
            Recommendations = a.Recommendations with { FirstLine = null!, Adjunct = [null!] },
            Pitfalls = [a.Pitfalls[0] with { Code = null!, Title = null!, Citations = [null!], Cautions = [null!, new CautionItem(null!, null!, null!, null!)] }],
            MissingData = [null!, new MissingDatum(null!, null!)],
            UnrecognizedInputs = null!,
            Trace = [null!, new TraceEntry(null!, null!, null!, null!)],
            Citations = [null!, new Citation(null!, null!, null!, null, null)],
            KnowledgeBaseVersion = null!,
            Disclaimer = null!,
        }, "nulls");
        AssertIdentical(a with { Etiology = null!, Recommendations = null!, SerotoninToxicity = a.SerotoninToxicity! with { SerotonergicAgents = [null!], HunterRulesFired = null! } }, "null objects");
    }

    [Fact]
    public void Strings_that_are_not_the_knowledge_base_instances_are_encoded_as_they_are()
    {
        var a = Rich();
        static string Copy(string s) => new(s.AsSpan());
        var items = AllItems(a).ToList();
        var first = items[0];
        var withCaution = items.First(i => i.Cautions.Count > 0);
        var changed = new List<RecommendationItem>
        {
            // Same code, another text: the cached text must not be used.
            first with { Text = "Changed text é → ≥ <b>", Title = first.Title + "!", Rationale = "", Dosing = "none" },
            // Equal content in another instance: encoded normally, same bytes.
            first with { Code = Copy(first.Code), Title = Copy(first.Title), Text = Copy(first.Text), Rationale = Copy(first.Rationale) },
            // A code the knowledge base does not have.
            first with { Code = "not_a_code" },
            // Citation ids changed, reordered, extended.
            first with { Citations = [.. first.Citations.Reverse(), "EXTRA", Copy(first.Citations[0])] },
            withCaution with
            {
                Cautions = [withCaution.Cautions[0] with { Text = "Other caution text ±" }, withCaution.Cautions[0] with { Id = "unknown" },
                    withCaution.Cautions[0] with { Citations = [.. withCaution.Cautions[0].Citations, "NEW"] }, .. withCaution.Cautions],
            },
        };
        var citation = a.Citations[0];
        AssertIdentical(a with
        {
            Pitfalls = changed,
            Citations = [citation with { Title = "Another title – ü" }, citation with { Source = Copy(citation.Source) }, citation with { Id = "nope" }, .. a.Citations],
            Disclaimer = a.Disclaimer + " (copy)",
            KnowledgeBaseVersion = Copy(a.KnowledgeBaseVersion),
        }, "changed strings");
    }

    /// <summary>Patient text and rule sentences with every class of awkward character.</summary>
    public static TheoryData<string> AwkwardStrings() =>
    [
        "plain ascii", "", "é ü ß ° → ≤ ≥ µ – ‘quotes’", "<script>&'\"+`</script>", "\\ / \b \f \n \r \t",
        "\u0000\u0001\u001F\u007F", "😀 👩‍⚕️ 𝄞", "中文 日本語 한국어", "\u2028\u2029\u200B\uFEFF\uFFFD\uFFFE\uFFFF",
        "x\uD800y", "\uDC00 lone low", "ab\uDBFF", "\uD83D", "\uDE00\uD83D", new string('é', 3000) + "😀", new string('a', 5000),
    ];

    [Theory]
    [MemberData(nameof(AwkwardStrings))]
    public void Dynamic_strings_are_escaped_as_the_serializer_escapes_them(string text)
    {
        var a = Rich();
        var item = AllItems(a).First();
        AssertIdentical(a with
        {
            Etiology = a.Etiology with { Rationale = [text, .. a.Etiology.Rationale], Differentials = [new Differential(Etiology.Metabolic, null, text)] },
            Pitfalls = [item with { Because = text, FiredBy = text }, item with { Title = text, Text = text, Dosing = text, Citations = [text] }],
            MissingData = [new MissingDatum(text, text)],
            UnrecognizedInputs = [new UnrecognizedInput("medication", "medications[0]", text, "not in the drug vocabulary")],
            Trace = [new TraceEntry(text, "read", text, [text, text])],
            Citations = [new Citation(text, text, text, 2000, text)],
            SerotoninToxicity = a.SerotoninToxicity! with { SerotonergicAgents = [new SerotonergicAgentMatch(text, text, text, text, text, text, text, 1)] },
            Disclaimer = text,
        }, text.Length > 40 ? text[..40] : text);
    }

    [Fact]
    public void A_lone_surrogate_becomes_the_replacement_character_as_in_the_serializer()
    {
        var a = Rich() with { UnrecognizedInputs = [new UnrecognizedInput("medication", "medications[0]", "x\uD800y", "r")] };
        // Both encoders escape the replacement (the relaxed one writes a real U+FFFD unescaped).
        Assert.Contains("\"value\":\"x\\uFFFDy\"", Encoding.UTF8.GetString(Fast(DefaultWriter, a)), StringComparison.Ordinal);
        Assert.Contains("\"value\":\"x\\uFFFDy\"", Encoding.UTF8.GetString(Fast(RelaxedWriter, a)), StringComparison.Ordinal);
        AssertIdentical(a);
    }

    [Fact]
    public void A_knowledge_base_string_that_cannot_be_pre_encoded_falls_back_to_the_writer()
    {
        // JSON content cannot hold a lone surrogate, but the constructor must not depend on that:
        // JsonEncodedText refuses it, while the serializer writes U+FFFD.
        var kb = Engine.Kb;
        var code = Rich().Recommendations.FirstLine[0].Code;
        var odd = new ClinicalKnowledgeBase(kb.Manifest with { Disclaimer = kb.Manifest.Disclaimer + " \uDC00" },
            [.. kb.Recommendations.Select(r => r.Code == code ? r with { Title = r.Title + " \uD800", Text = "\uDFFF" + r.Text } : r)],
            kb.Cautions, kb.Sources, kb.Drugs, kb.CommonDrugs, kb.Conditions, kb.Reasoning);
        var writer = new AssessmentJsonWriter(odd);
        var a = new Triage.TriageEngine(odd).Assess(Example("01-serotonin-toxicity-severe.json"));
        Assert.EndsWith(" \uD800", a.Recommendations.FirstLine[0].Title, StringComparison.Ordinal);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(a, ClonusJson.Options), Fast(writer, a));
    }

    [Fact]
    public void Options_the_writer_cannot_reproduce_are_refused()
    {
        static JsonSerializerOptions With(Action<JsonSerializerOptions> change)
        {
            var options = new JsonSerializerOptions(ClonusJson.Options);
            change(options);
            options.MakeReadOnly(populateMissingResolver: true);
            return options;
        }

        Assert.Throws<InvalidOperationException>(() => new AssessmentJsonWriter(Engine.Kb, With(o => o.WriteIndented = true)));
        Assert.Throws<InvalidOperationException>(() => new AssessmentJsonWriter(Engine.Kb,
            With(o => o.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)));
        Assert.Throws<InvalidOperationException>(() => new AssessmentJsonWriter(Engine.Kb,
            With(o => o.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.WriteAsString)));
        // A naming policy is followed, not assumed: the names come from the serializer's metadata.
        var snake = With(o => o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        var a = Rich();
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(a, snake), Fast(new AssessmentJsonWriter(Engine.Kb, snake), a));
    }

    [Fact]
    public void A_property_the_writer_does_not_know_about_is_refused_at_construction()
    {
        // A resolver modifier that adds a property stands in for a model change the writer missed.
        var options = new JsonSerializerOptions(ClonusJson.Options)
        {
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
            {
                Modifiers =
                {
                    info =>
                    {
                        if (info.Type == typeof(Citation))
                        {
                            var extra = info.CreateJsonPropertyInfo(typeof(string), "doi");
                            extra.Get = _ => null;
                            info.Properties.Add(extra);
                        }
                    },
                },
            },
        };
        options.MakeReadOnly();
        var error = Assert.Throws<InvalidOperationException>(() => new AssessmentJsonWriter(Engine.Kb, options));
        Assert.Contains("Citation", error.Message, StringComparison.Ordinal);
    }
}
