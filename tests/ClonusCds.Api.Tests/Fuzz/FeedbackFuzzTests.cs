using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ClonusCds.Api.Tests.Fuzz;

/// <summary>
/// POST /cds-services/{id}/feedback under fuzzing: random bodies, and valid feedback (accepted and
/// overridden items) with one mutation, including limit-sized lists and malformed timestamps.
/// </summary>
public sealed class FeedbackFuzzTests(FuzzApiFactory factory, ITestOutputHelper output) : IClassFixture<FuzzApiFactory>
{
    private const string Url = "/cds-services/clonus-patient-view/feedback";

    private readonly FuzzHarness _harness = new(factory, output);

    /// <summary>The brief's example: one accepted card with one suggestion.</summary>
    private static JObj Example(string card, string suggestion) => JText.Obj(("feedback", JText.Arr(JText.Obj(
        ("card", JText.Str(card)),
        ("outcome", JText.Str("accepted")),
        ("acceptedSuggestions", JText.Arr(JText.Obj(("id", JText.Str(suggestion))))),
        ("outcomeTimestamp", JText.Str("2026-11-20T10:00:00Z"))))));

    private static readonly Gen<string> Timestamps = Gen.Elements(
        "2026-11-20T10:00:00Z", "2021-12-11T10:05:31Z", "2020-12-11T00:00:00+01:00", "2026-11-20T10:00:00.123456789Z", "2026-11-20t10:00:00z", "1970-01-01T00:00:00-05:30");

    private static readonly Gen<JValue> Item =
        from card in FuzzGen.Uuid
        from accepted in Gen.Elements(true, false)
        from suggestions in Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(FuzzGen.Uuid, n))
        from reason in Gen.Choose(0, 3)
        from timestamp in Timestamps
        select accepted
            ? (JValue)JText.Obj(
                ("card", JText.Str(card)), ("outcome", JText.Str("accepted")),
                ("acceptedSuggestions", new JArr([.. suggestions.Select(s => (JValue)JText.Obj(("id", JText.Str(s))))])),
                ("outcomeTimestamp", JText.Str(timestamp)))
            : reason switch
            {
                0 => JText.Obj(("card", JText.Str(card)), ("outcome", JText.Str("overridden")), ("outcomeTimestamp", JText.Str(timestamp))),
                1 => JText.Obj(("card", JText.Str(card)), ("outcome", JText.Str("overridden")),
                    ("overrideReason", JText.Obj(("userComment", JText.Str("Already managed by the team.")))), ("outcomeTimestamp", JText.Str(timestamp))),
                _ => JText.Obj(("card", JText.Str(card)), ("outcome", JText.Str("overridden")),
                    ("overrideReason", JText.Obj(
                        ("reason", JText.Obj(("code", JText.Str("d7ecf885")), ("system", JText.Str("https://example.com/cds-hooks/override-reason-system")), ("display", JText.Str("Already managed")))),
                        ("userComment", JText.Str("A comment entered by the clinician.")))),
                    ("outcomeTimestamp", JText.Str(timestamp))),
            };

    /// <summary>Valid feedback bodies: the brief's example, or 1–3 generated items.</summary>
    private static readonly Gen<JValue> Valid = Gen.Frequency(
        (1, from card in FuzzGen.Uuid from suggestion in FuzzGen.Uuid select (JValue)Example(card, suggestion)),
        (3, from n in Gen.Choose(1, 3) from items in Gen.ArrayOf(Item, n) select (JValue)JText.Obj(("feedback", new JArr([.. items])))));

    /// <summary>A fixed sample (so the vocabulary, and with it every generated case, depends only on the seed).</summary>
    private static readonly IReadOnlyList<JValue> Sample = Gen.Sample(Valid, 10, new Rnd(20261120UL), 20);

    private static readonly Vocabulary Words = Vocabulary.Harvest(Sample, ["accepted", "overridden", "clonus-patient-view", "clonus-order-check"]);

    private static readonly Gen<string> Urls = Gen.Frequency(
        (8, Gen.Constant(Url)), (4, Gen.Constant("/cds-services/clonus-order-check/feedback")), (1, Gen.Constant("/cds-services/no-such-service/feedback")));

    private static string Healthy => JText.ToText(Example(Guid.NewGuid().ToString(), Guid.NewGuid().ToString()));

    [Fact]
    public async Task Valid_feedback_is_accepted()
    {
        foreach (var body in Sample)
        {
            await _harness.AssertHealthyAsync(Url, JText.ToText(body));
        }
    }

    [Fact]
    public async Task Random_json_bodies_never_get_a_5xx()
    {
        var cases =
            from body in FuzzGen.Body(Words)
            from url in Urls
            select new FuzzCase(url, "random body", body);
        await _harness.RunAsync(nameof(FeedbackFuzzTests) + "." + nameof(Random_json_bodies_never_get_a_5xx), cases, Surface.Feedback);
        await _harness.AssertHealthyAsync(Url, Healthy);
    }

    [Fact]
    public async Task Valid_feedback_with_one_mutation_never_gets_a_5xx()
    {
        var cases =
            from valid in Valid
            let m = new Mutator(valid, Words)
            from mutant in Gen.Frequency<Mutant>([.. m.Menu(), (4, Limits(valid))])
            from url in Urls
            select mutant.At(url);
        await _harness.RunAsync(nameof(FeedbackFuzzTests) + "." + nameof(Valid_feedback_with_one_mutation_never_gets_a_5xx), cases, Surface.Feedback);
        await _harness.AssertHealthyAsync(Url, Healthy);
    }

    /// <summary>Lists at and past their limits (100 items, 100 suggestions), strings past theirs (200, 500, 2000).</summary>
    private static Gen<Mutant> Limits(JValue valid)
    {
        var item = ((JArr)((JObj)valid)["feedback"]!).Items[0];
        return Gen.Elements(
            new Mutant("100 feedback items", JText.Obj(("feedback", new JArr([.. Enumerable.Repeat(item, 100)])))),
            new Mutant("101 feedback items", JText.Obj(("feedback", new JArr([.. Enumerable.Repeat(item, 101)])))),
            new Mutant("10000 feedback items", JText.Obj(("feedback", new JArr([.. Enumerable.Repeat(item, 10000)])))),
            new Mutant("empty feedback list", JText.Obj(("feedback", JText.Arr()))),
            new Mutant("101 accepted suggestions", JText.Obj(("feedback", JText.Arr(JText.Obj(
                ("card", JText.Str("c")), ("outcome", JText.Str("accepted")),
                ("acceptedSuggestions", new JArr([.. Enumerable.Range(0, 101).Select(i => (JValue)JText.Obj(("id", JText.Str("s" + i))))])),
                ("outcomeTimestamp", JText.Str("2026-11-20T10:00:00Z"))))))),
            new Mutant("card of 201 characters", JText.Obj(("feedback", JText.Arr(JText.Obj(
                ("card", JText.Str(new string('c', 201))), ("outcome", JText.Str("overridden")), ("outcomeTimestamp", JText.Str("2026-11-20T10:00:00Z"))))))),
            new Mutant("userComment of 2001 characters, display of 501", JText.Obj(("feedback", JText.Arr(JText.Obj(
                ("card", JText.Str("c")), ("outcome", JText.Str("overridden")),
                ("overrideReason", JText.Obj(
                    ("reason", JText.Obj(("code", JText.Str("x")), ("system", JText.Str("https://example.com")), ("display", JText.Str(new string('d', 501))))),
                    ("userComment", JText.Str(new string('u', 2001))))),
                ("outcomeTimestamp", JText.Str("2026-11-20T10:00:00Z"))))))),
            new Mutant("timestamp 5 minutes ahead of the clock is a boundary", JText.Obj(("feedback", JText.Arr(JText.Obj(
                ("card", JText.Str("c")), ("outcome", JText.Str("overridden")), ("outcomeTimestamp", JText.Str("9999-12-31T23:59:59.9999999+14:00"))))))));
    }
}
