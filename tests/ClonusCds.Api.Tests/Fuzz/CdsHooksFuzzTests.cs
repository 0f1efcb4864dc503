using System.Collections.Immutable;
using ClonusCds.Api.Tests.CdsHooks;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ClonusCds.Api.Tests.Fuzz;

/// <summary>
/// POST /cds-services/{id} under fuzzing: the realistic fixtures (CdsHooks/Fixtures) with any node
/// replaced, nulled, deleted or duplicated; targeted FHIR mutations (prefetch values, observation
/// values and units, dates, extensions, fhirServer, hook and service id); random bodies.
/// </summary>
public sealed class CdsHooksFuzzTests(FuzzApiFactory factory, ITestOutputHelper output) : IClassFixture<FuzzApiFactory>
{
    private const string PatientView = "/cds-services/clonus-patient-view";
    private const string OrderCheck = "/cds-services/clonus-order-check";

    private readonly FuzzHarness _harness = new(factory, output);

    /// <summary>
    /// The fixtures, dated relative to the start of today (stable within a day, so a seed replays the
    /// same bytes) and with their stored hookInstance.
    /// </summary>
    private static readonly List<CdsFixture> Fixtures =
        FixtureLoader.Files().Select(f => FixtureLoader.Load(f, DateTimeOffset.UtcNow.Date, freshHookInstance: false)).ToList();

    private static readonly IReadOnlyList<JValue> Documents = Fixtures.Select(f => JText.From(f.Request)).ToList();

    private static readonly Vocabulary Words = Vocabulary.Harvest(Documents, ["patient-view", "order-select", "order-sign", "Bundle", "OperationOutcome", "searchset"]);

    private static readonly List<Mutator> Mutators = Documents.Select(d => new Mutator(d, Words)).ToList();

    private static string Url(CdsFixture fixture) => "/cds-services/" + fixture.Service;

    [Fact]
    public async Task Every_fixture_is_answered_as_it_stands()
    {
        Assert.NotEmpty(Fixtures);
        foreach (var fixture in Fixtures.Where(f => f.Expect.Status == 200))
        {
            await _harness.AssertHealthyAsync(Url(fixture), fixture.RequestJson);
        }
    }

    [Fact]
    public async Task Random_json_bodies_never_get_a_5xx()
    {
        var cases =
            from body in FuzzGen.Body(Words)
            from url in Gen.Frequency((5, Gen.Constant(PatientView)), (5, Gen.Constant(OrderCheck)), (1, Gen.Constant("/cds-services/no-such-service")))
            select new FuzzCase(url, "random body", body);
        await Run(nameof(Random_json_bodies_never_get_a_5xx), cases);
    }

    /// <summary>Any node anywhere: replaced by a random value, null, deleted or duplicated (plus the strict-JSON mutations).</summary>
    [Fact]
    public async Task Fixtures_with_any_node_mutated_never_get_a_5xx()
    {
        var cases =
            from index in Gen.Choose(0, Fixtures.Count - 1)
            let m = Mutators[index]
            from mutant in Gen.Frequency(
                (8, m.ReplaceRandom()), (6, m.ReplaceNull()), (8, m.Remove()), (6, m.DuplicateNode()),
                (3, m.WrongType()), (2, m.Overflow()), (2, m.UnknownMember()), (2, m.InvalidUtf8()), (2, m.RawControlCharacter()),
                (2, m.DeepNest()), (1, m.HugeString()), (3, m.WholeBody()), (2, m.EnumVariant()), (2, m.OutOfRange()))
            select mutant.At(Url(Fixtures[index])) with { Label = $"{Fixtures[index].File}: {mutant.Label}" };
        await Run(nameof(Fixtures_with_any_node_mutated_never_get_a_5xx), cases);
    }

    /// <summary>Prefetch values, observation values and units, dates, extensions, fhirServer, hook and service id.</summary>
    [Fact]
    public async Task Fixtures_with_targeted_FHIR_mutations_never_get_a_5xx()
    {
        var cases =
            from index in Gen.Choose(0, Fixtures.Count - 1)
            let m = Mutators[index]
            from mutant in Gen.Frequency(
                (5, Prefetch(m)), (5, Observation(m)), (4, m.MalformedDate()), (3, Extension(m)), (3, FhirServer(m)), (2, HookAndService(m)))
            select mutant.At(Url(Fixtures[index])) with { Label = $"{Fixtures[index].File}: {mutant.Label}" };
        await Run(nameof(Fixtures_with_targeted_FHIR_mutations_never_get_a_5xx), cases);
    }

    private async Task Run(string test, Gen<FuzzCase> cases)
    {
        await _harness.RunAsync(nameof(CdsHooksFuzzTests) + "." + test, cases, Surface.CdsService);
        await _harness.AssertHealthyAsync(Url(Fixtures[0]), Fixtures[0].RequestJson);
        var patientView = Fixtures.First(f => f.Service == "clonus-patient-view" && f.Expect.Status == 200);
        await _harness.AssertHealthyAsync(Url(patientView), patientView.RequestJson);
    }

    // ------------------------------------------------------------------ targeted mutations

    private static readonly JObj OperationOutcome = JText.Obj(
        ("resourceType", JText.Str("OperationOutcome")),
        ("issue", JText.Arr(JText.Obj(("severity", JText.Str("error")), ("code", JText.Str("exception")), ("diagnostics", JText.Str("upstream timeout"))))));

    private static JObj Bundle(params (string Key, JValue Value)[] members) =>
        JText.Obj([("resourceType", JText.Str("Bundle")), ("type", JText.Str("searchset")), .. members]);

    /// <summary>A prefetch value replaced: arrays, strings, OperationOutcomes, odd Bundles, wrong resource types.</summary>
    private static Gen<Mutant> Prefetch(Mutator m)
    {
        var keys = m.MembersNamed("prefetch").SelectMany(p => JText.At(m.Document, p) is JObj o
            ? Enumerable.Range(0, o.Members.Length).Select(i => p.Add(i))
            : []).ToList();
        if (keys.Count == 0)
        {
            return m.ReplaceRandom();
        }

        JValue[] fixedValues =
        [
            JText.Arr(), new JStr("Bundle"), new JStr(""), new JNum("1"), new JBool(true), JText.Obj(),
            JText.Obj(("resourceType", new JNum("1"))), JText.Obj(("resourceType", JText.Str(""))), JText.Obj(("resourceType", JText.Str("bundle"))),
            JText.Obj(("resourceType", JNull.Instance)), JText.Obj(("resourceType", JText.Arr(JText.Str("Bundle")))),
            OperationOutcome,
            JText.Obj(("resourceType", JText.Str("OperationOutcome")), ("issue", JText.Str("x"))),
            JText.Obj(("resourceType", JText.Str("OperationOutcome")), ("issue", JText.Arr(JNull.Instance, JText.Obj(("severity", new JNum("5")))))),
            Bundle(("entry", JText.Arr(JText.Obj(("resource", OperationOutcome)), JText.Obj(("search", JText.Obj(("mode", JText.Str("outcome")))))))),
            Bundle(("entry", JText.Str("x"))), Bundle(("entry", JNull.Instance)), Bundle(("entry", JText.Arr(JNull.Instance))),
            Bundle(("entry", JText.Arr(JText.Obj(("resource", JNull.Instance))))), Bundle(("entry", JText.Arr(JText.Obj(("resource", JText.Obj(("resourceType", new JNum("7")))))))),
            Bundle(("entry", JText.Arr(JText.Obj(("resource", JText.Arr()))))), Bundle(("entry", JText.Arr(JText.Obj()))), Bundle(),
            Bundle(("link", JText.Arr(JText.Obj(("relation", JText.Str("next")), ("url", JText.Str("http://127.0.0.1:9/fhir/Observation?page=2")))))),
            Bundle(("link", JText.Arr(JText.Obj(("relation", JText.Str("next")), ("url", new JNum("1")))))), Bundle(("link", JText.Str("next"))),
            Bundle(("total", new JNum("1e309")), ("entry", JText.Arr())), Bundle(("entry", JText.Arr(JText.Obj(("resource", JText.Obj(("resourceType", JText.Str("Patient")), ("id", JText.Str("other")))))))),
            JText.Obj(("resourceType", JText.Str("Patient")), ("id", JText.Str("x"))), JText.Obj(("resourceType", JText.Str("Observation"))),
            JText.Obj(("resourceType", JText.Str("Bundle")), ("type", JText.Str("collection")), ("entry", JText.Arr())),
        ];
        return
            from path in Gen.Elements(keys.AsEnumerable())
            from value in Gen.Frequency(
                (6, Gen.Elements(fixedValues)),
                (2, Gen.Constant(JText.At(m.Document, path)).Select(v => (JValue)JText.Arr(v))),
                (2, FuzzGen.Value(Vocabulary.Harvest([m.Document]))),
                (1, Gen.Constant(JText.At(m.Document, path)).Select(v => v is JObj o ? (JValue)new JObj(o.Members.RemoveAll(x => x.KeyText == "resourceType")) : v)))
            select new Mutant($"prefetch value at {m.Describe(path)} → {Short(value)}", JText.Replace(m.Document, path, _ => value));
    }

    private static readonly string[] OddUnits =
    [
        "", " ", "Cel", "cel", "CEL", "[degF]", "degF", "°F", "°C", "K", "[degR]", "mm[Hg]", "kPa", "/min", "{beats}/min", "%", "1", "mmol/L",
        "mg/dL", "umol/L", "µmol/L", "μmol/L", "U/L", "[IU]/L", "g/dL", "10*3/uL", "m[IU]/mL", "%{HbA1c}", "mL/min/{1.73_m2}", "Cel\u0000", "ＣＥＬ", "[degF]]", "{", "\uD800",
    ];

    /// <summary>An Observation's valueQuantity: extreme numbers, odd units, odd shapes.</summary>
    private static Gen<Mutant> Observation(Mutator m)
    {
        var quantities = m.MembersNamed("valueQuantity").Where(p => JText.At(m.Document, p) is JObj).ToList();
        if (quantities.Count == 0)
        {
            return m.OutOfRange();
        }

        var extreme = Gen.Frequency(
            (3, Gen.Elements("1e308", "-1e308", "1e309", "-1e309", "1e-320", "-0", "0", "1e30", "-273.16", "1000000", "9007199254740993", "79228162514264337593543950336", "-1", "45.00000000000001", "1" + new string('0', 400)).Select(l => (JValue)new JNum(l))),
            (2, FuzzGen.Number),
            (1, Gen.Elements<JValue>(new JStr("39"), JNull.Instance, new JBool(true), JText.Arr(new JNum("39")), JRaw.Of("NaN"))));
        var unit = Gen.Elements(OddUnits).Select(u => (JValue)new JStr(u));
        return
            from path in Gen.Elements(quantities.AsEnumerable())
            from kind in Gen.Choose(0, 5)
            from number in extreme
            from odd in unit
            from comparator in Gen.Elements("<", ">=", "ad", "", "≈")
            let quantity = (JObj)JText.At(m.Document, path)
            let changed = kind switch
            {
                0 => With(quantity, ("value", number)),
                1 => With(quantity, ("unit", odd), ("code", odd)),
                2 => With(quantity, ("code", odd)),
                3 => With(quantity, ("value", number), ("unit", odd), ("code", odd), ("system", JText.Str("http://example.org/not-ucum"))),
                4 => With(quantity, ("comparator", JText.Str(comparator))),
                _ => new JObj(quantity.Members.RemoveAll(x => x.KeyText == "value")),
            }
            select new Mutant($"valueQuantity at {m.Describe(path)} → {Short(changed)}", JText.Replace(m.Document, path, _ => changed));
    }

    private static JObj With(JObj o, params (string Key, JValue Value)[] members)
    {
        var result = o.Members;
        foreach (var (key, value) in members)
        {
            var i = result.IndexOf(result.FirstOrDefault(x => x.KeyText == key)!);
            result = i >= 0 ? result.SetItem(i, new JMember(key, value)) : result.Add(new JMember(key, value));
        }

        return new JObj(result);
    }

    /// <summary>An extension member added to an object: CDS Hooks style, FHIR style, primitive extension, modifierExtension, garbage.</summary>
    private static Gen<Mutant> Extension(Mutator m)
    {
        var words = Vocabulary.Harvest([m.Document]);
        var objects = JText.Paths(m.Document).Where(p => JText.At(m.Document, p) is JObj).ToList();
        var fhirExtension = JText.Arr(JText.Obj(("url", JText.Str("http://example.org/fhir/StructureDefinition/x")), ("valueString", JText.Str("x"))));
        return
            from path in Gen.Elements(objects.AsEnumerable())
            from key in Gen.Elements("extension", "modifierExtension", "_birthDate", "_value", "extension ", "Extension")
            from value in Gen.Frequency(
                (2, Gen.Constant<JValue>(fhirExtension)),
                (2, Gen.Constant<JValue>(JText.Obj(("com.example.flag", new JBool(true)), ("org.clonuscds", JText.Obj(("x", JText.Arr())))))),
                (1, Gen.Constant<JValue>(JText.Obj(("extension", fhirExtension)))),
                (3, FuzzGen.Value(words)))
            select new Mutant($"{key} added at {(path.IsEmpty ? "$" : m.Describe(path))} → {Short(value)}",
                JText.Replace(m.Document, path, node => ((JObj)node) with { Members = ((JObj)node).Members.Add(new JMember(key, value)) }));
    }

    private static readonly JValue[] Servers =
    [
        JText.Str("http://127.0.0.1:9/fhir"), JText.Str("http://[::1]:9/fhir"), JText.Str("http://localhost:9/"), JText.Str("https://127.0.0.1:9/fhir"),
        JText.Str("ftp://127.0.0.1/fhir"), JText.Str("not a url"), JText.Str(""), JText.Str("http://"), JText.Str("/relative"), JText.Str("file:///etc/passwd"),
        JText.Str("http://user:pass@127.0.0.1:9/fhir?x=1#f"), JText.Str("http://127.0.0.1:99999/"), JText.Str("http://127.0.0.1:9/" + new string('a', 5000)), new JNum("1"), JNull.Instance,
    ];

    private static JObj Authorization(params (string Key, JValue Value)[] changes) => With(JText.Obj(
        ("access_token", JText.Str("some-opaque-token")), ("token_type", JText.Str("Bearer")), ("expires_in", new JNum("300")),
        ("scope", JText.Str("patient/*.read")), ("subject", JText.Str("cds-service"))), changes);

    private static readonly JValue[] Authorizations =
    [
        Authorization(), Authorization(("token_type", JText.Str("bearer"))), Authorization(("token_type", JText.Str("MAC"))),
        Authorization(("expires_in", JText.Str("300"))), Authorization(("expires_in", new JNum("1e309"))), Authorization(("expires_in", new JNum("-1"))),
        Authorization(("expires_in", new JNum("9223372036854775808"))), Authorization(("expires_in", new JNum("3.5"))), Authorization(("access_token", JText.Str(""))),
        Authorization(("access_token", JNull.Instance)), Authorization(("access_token", JText.Str("a\r\nX-Injected: 1"))), Authorization(("scope", JText.Arr())),
        JText.Obj(("access_token", JText.Str("x"))), JText.Obj(), JNull.Instance, JText.Arr(), JText.Str("Bearer x"),
    ];

    /// <summary>fhirServer and fhirAuthorization set (to closed loopback ports or nonsense), often with a prefetch key removed so the service tries to fetch.</summary>
    private static Gen<Mutant> FhirServer(Mutator m)
    {
        var prefetchKeys = m.MembersNamed("prefetch").SelectMany(p => JText.At(m.Document, p) is JObj o
            ? Enumerable.Range(0, o.Members.Length).Select(i => p.Add(i))
            : []).ToList();
        return
            from server in Gen.Elements(Servers)
            from authorization in Gen.Frequency((3, Gen.Constant<JValue?>(Authorizations[0])), (3, Gen.Elements<JValue?>(Authorizations)), (1, Gen.Constant<JValue?>(null)))
            from drop in prefetchKeys.Count == 0 ? Gen.Constant<ImmutableArray<int>?>(null) : Gen.Frequency(
                (3, Gen.Elements(prefetchKeys.AsEnumerable()).Select(p => (ImmutableArray<int>?)p)), (1, Gen.Constant<ImmutableArray<int>?>(null)))
            let dropped = drop is { } d ? JText.Remove(m.Document, d) : m.Document
            let body = (JObj)dropped
            let withServer = With(body, authorization is null ? [("fhirServer", server)] : [("fhirServer", server), ("fhirAuthorization", authorization)])
            select new Mutant(
                $"fhirServer {Short(server)}, fhirAuthorization {(authorization is null ? "absent" : Short(authorization))}" + (drop is { } p ? $", {m.Describe(p)} removed" : ""),
                withServer);
    }

    /// <summary>The hook swapped or odd, or the request sent to the other service, an unknown one, or an odd id.</summary>
    private static Gen<Mutant> HookAndService(Mutator m)
    {
        var hook = m.MembersNamed("hook").Where(p => p.Length == 1).ToList();
        var swapHook =
            from path in Gen.Elements(hook.AsEnumerable())
            from value in Gen.Elements("patient-view", "order-select", "order-sign", "order-dispatch", "appointment-book", "", "PATIENT-VIEW", "patient-view ", "patient‐view")
            select new Mutant($"hook → {value}", JText.Replace(m.Document, path, _ => new JStr(value)));
        var otherService =
            from url in Gen.Elements(PatientView, OrderCheck, "/cds-services/no-such-service", "/cds-services/CLONUS-PATIENT-VIEW", "/cds-services/clonus-patient-view%20",
                "/cds-services/clonus-order-check%2F..", "/cds-services/" + new string('x', 2000), "/cds-services/clonus-patient-view/", "/cds-services/clonus-order-check?x=1")
            select new Mutant($"sent to {url}", m.Document, Url: url);
        return hook.Count == 0 ? otherService : Gen.Frequency((1, swapHook), (1, otherService));
    }

    private static string Short(JValue value)
    {
        var text = value.ToString();
        return text.Length > 80 ? text[..80] + "…" : text;
    }
}
