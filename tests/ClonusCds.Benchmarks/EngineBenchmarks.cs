using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ClonusCds.Core;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;

namespace ClonusCds.Benchmarks;

/// <summary>
/// Cost of one triage assessment (<see cref="TriageEngine.Assess"/>) on four representative
/// contexts. The knowledge base is loaded and the contexts are deserialized once, in
/// <see cref="Setup"/>; each benchmark returns its <see cref="Assessment"/> so the call cannot be
/// eliminated. <see cref="EndToEndBenchmarks"/> adds the JSON cost.
/// </summary>
public class EngineBenchmarks
{
    // (a) Severe serotonin toxicity: sertraline + Ultram (brand only), spontaneous and inducible
    // clonus, agitation, diaphoresis, 39.2 °C, hypertonia (Hunter rules 1, 2, 5).
    internal const string SevereSerotoninToxicityJson = """
        {
          "patient": { "ageYears": 31, "sex": "female", "egfr": 95 },
          "setting": "emergency_department",
          "clonus": {
            "present": true, "sites": ["ankle", "lower_limbs"], "types": ["spontaneous", "inducible"],
            "sustained": true, "beats": 30, "laterality": "bilateral", "onset": "acute", "durationHours": 6
          },
          "vitals": {
            "temperatureC": 39.2, "temperatureRising": true, "heartRateBpm": 134, "systolicBp": 168,
            "diastolicBp": 100, "respiratoryRate": 26, "spo2Percent": 96
          },
          "exam": {
            "agitation": true, "diaphoresis": true, "tremor": true, "reflexes": "increased", "tone": "increased",
            "rigidity": "spastic", "pupils": "dilated", "skin": "diaphoretic", "mucosa": "moist",
            "bowelSounds": "hyperactive", "mentalStatus": "agitated"
          },
          "medications": [
            { "name": "sertraline", "rxcui": "36437", "status": "active", "change": "unchanged", "daysSinceChange": 200, "route": "oral", "dose": "100 mg daily" },
            { "name": "Ultram", "status": "active", "change": "new", "daysSinceChange": 1, "route": "oral", "dose": "50 mg q6h" }
          ],
          "conditions": [
            { "category": "psychiatric_illness", "display": "Major depressive disorder", "onset": "chronic" }
          ],
          "labs": { "creatineKinaseUPerL": 900, "creatinineMgPerDl": 0.9 },
          "treatmentHistory": []
        }
        """;

    // (b) Chronic MS clonus: sustained bilateral ankle clonus, baclofen on board with a partial
    // response, eGFR 75.
    internal const string ChronicMsClonusJson = """
        {
          "patient": { "ageYears": 44, "sex": "female", "egfr": 75, "pregnant": false },
          "setting": "outpatient_clinic",
          "clonus": {
            "present": true, "sites": ["ankle"], "types": ["inducible"], "sustained": true,
            "laterality": "bilateral", "onset": "chronic", "durationHours": 8760, "disabling": true
          },
          "vitals": {
            "temperatureC": 36.7, "temperatureRising": false, "heartRateBpm": 72, "systolicBp": 122,
            "diastolicBp": 78, "respiratoryRate": 14, "spo2Percent": 99
          },
          "exam": {
            "agitation": false, "diaphoresis": false, "tremor": false, "reflexes": "increased", "tone": "increased",
            "rigidity": "spastic", "pupils": "normal", "skin": "normal", "mentalStatus": "normal",
            "weakness": true, "otherUmnSigns": true
          },
          "medications": [
            { "name": "baclofen", "rxcui": "1292", "status": "active", "change": "unchanged", "daysSinceChange": 120, "route": "oral", "dose": "10 mg tid" },
            { "name": "interferon beta-1a", "rxcui": "75917", "status": "active", "change": "unchanged", "daysSinceChange": 900, "route": "im", "dose": "30 mcg weekly" }
          ],
          "conditions": [
            { "category": "multiple_sclerosis", "code": "G35", "system": "http://hl7.org/fhir/sid/icd-10-cm", "display": "Relapsing-remitting multiple sclerosis", "onset": "chronic" }
          ],
          "treatmentHistory": [
            { "treatment": "baclofen_first_line", "response": "partial" }
          ]
        }
        """;

    // (c) Infant, 0.6 years: startle-induced clonic attacks with encephalopathy, on levetiracetam.
    internal const string InfantStartleJson = """
        {
          "patient": { "ageYears": 0.6, "sex": "male" },
          "setting": "pediatric_clinic",
          "clonus": {
            "present": true, "sites": ["generalized"], "types": ["startle_induced"], "sustained": true,
            "onset": "paroxysmal", "durationHours": 720
          },
          "vitals": {
            "temperatureC": 36.9, "temperatureRising": false, "heartRateBpm": 132, "systolicBp": 88,
            "diastolicBp": 52, "respiratoryRate": 34, "spo2Percent": 97
          },
          "exam": {
            "tremor": false, "reflexes": "increased", "tone": "increased", "rigidity": "spastic",
            "mentalStatus": "normal", "developmentalConcern": true, "otherUmnSigns": true, "apneaEpisodes": true
          },
          "medications": [
            { "name": "levetiracetam", "rxcui": "114477", "status": "active", "change": "dose_increased", "daysSinceChange": 10, "route": "oral", "dose": "40 mg/kg/day" }
          ],
          "conditions": [
            { "category": "encephalopathy", "code": "G93.40", "system": "http://hl7.org/fhir/sid/icd-10-cm", "display": "Encephalopathy, unspecified", "onset": "chronic" }
          ],
          "eeg": { "performed": false },
          "treatmentHistory": [
            { "treatment": "levetiracetam", "response": "inadequate" }
          ]
        }
        """;

    // (d) NMS look-alike: haloperidol dose increase on long-term sertraline, lead-pipe rigidity,
    // decreased reflexes, fever, raised CK, no clonus.
    internal const string NmsLookAlikeJson = """
        {
          "patient": { "ageYears": 34, "sex": "male" },
          "setting": "inpatient_ward",
          "clonus": { "present": false },
          "vitals": {
            "temperatureC": 39.6, "temperatureRising": true, "heartRateBpm": 122, "systolicBp": 168,
            "diastolicBp": 98, "respiratoryRate": 24, "spo2Percent": 96
          },
          "exam": {
            "agitation": false, "diaphoresis": true, "tremor": false, "reflexes": "decreased", "tone": "increased",
            "rigidity": "lead_pipe", "pupils": "normal", "skin": "pale", "mucosa": "moist",
            "bowelSounds": "normal", "mentalStatus": "decreased_consciousness"
          },
          "medications": [
            { "name": "haloperidol", "rxcui": "5093", "status": "active", "change": "dose_increased", "daysSinceChange": 3, "route": "im", "dose": "10 mg bid" },
            { "name": "sertraline", "rxcui": "36437", "status": "active", "change": "unchanged", "daysSinceChange": 90, "route": "oral", "dose": "100 mg daily" }
          ],
          "conditions": [
            { "category": "psychiatric_illness", "display": "Schizoaffective disorder", "onset": "chronic" }
          ],
          "labs": { "creatineKinaseUPerL": 4800, "creatinineMgPerDl": 1.3 },
          "treatmentHistory": []
        }
        """;

    private TriageEngine _engine = null!;
    private PatientContext _severeSerotoninToxicity = null!;
    private PatientContext _chronicMsClonus = null!;
    private PatientContext _infantStartle = null!;
    private PatientContext _nmsLookAlike = null!;

    internal TriageEngine Engine => _engine;

    /// <summary>Loads the knowledge base once, builds the engine and deserializes the contexts.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = new TriageEngine(ClinicalKnowledgeBase.LoadEmbedded());
        _severeSerotoninToxicity = Parse(SevereSerotoninToxicityJson);
        _chronicMsClonus = Parse(ChronicMsClonusJson);
        _infantStartle = Parse(InfantStartleJson);
        _nmsLookAlike = Parse(NmsLookAlikeJson);
    }

    /// <summary>(a) Severe serotonin toxicity.</summary>
    [Benchmark]
    public Assessment SevereSerotoninToxicity() => _engine.Assess(_severeSerotoninToxicity);

    /// <summary>(b) Chronic MS clonus on baclofen.</summary>
    [Benchmark]
    public Assessment ChronicMsClonus() => _engine.Assess(_chronicMsClonus);

    /// <summary>(c) Infant startle-induced attacks (seizure mimic).</summary>
    [Benchmark]
    public Assessment InfantStartle() => _engine.Assess(_infantStartle);

    /// <summary>(d) NMS look-alike.</summary>
    [Benchmark]
    public Assessment NmsLookAlike() => _engine.Assess(_nmsLookAlike);

    /// <summary>The four contexts with the etiology each is meant to exercise (used by the smoke mode).</summary>
    internal IEnumerable<(string Name, PatientContext Context, Etiology Expected)> Cases()
    {
        yield return (nameof(SevereSerotoninToxicity), _severeSerotoninToxicity, Etiology.SerotoninToxicity);
        yield return (nameof(ChronicMsClonus), _chronicMsClonus, Etiology.UmnLesion);
        yield return (nameof(InfantStartle), _infantStartle, Etiology.SeizureMimic);
        yield return (nameof(NmsLookAlike), _nmsLookAlike, Etiology.OtherDrugToxicity);
    }

    private static PatientContext Parse(string json) =>
        JsonSerializer.Deserialize<PatientContext>(json, ClonusJson.Options)
            ?? throw new InvalidOperationException("benchmark context deserialized to null");
}

/// <summary>
/// End to end without HTTP, on context (a): UTF-8 request bytes → <see cref="PatientContext"/> →
/// <see cref="TriageEngine.Assess"/> → UTF-8 response bytes, all with <see cref="ClonusJson.Options"/>.
/// </summary>
/// <remarks>
/// More warm-up than the engine benchmarks. System.Text.Json has far more code on this path than
/// the engine, and it takes longer to reach its steady (fully tiered-up) speed: in a trial run
/// with 3 warm-ups the time per operation was still falling through the measured iterations
/// (≈ 160 → 39 µs); with 20 warm-ups it settled by about the 8th. The engine benchmarks are flat
/// after 3. The invocation count is fixed because the pilot stage, timing the still-slow code,
/// otherwise picks iterations shorter than BenchmarkDotNet's 100 ms minimum.
/// </remarks>
[WarmupCount(20)]
[InvocationCount(8192)]
public class EndToEndBenchmarks
{
    private TriageEngine _engine = null!;
    private byte[] _request = null!;

    /// <summary>Loads the knowledge base once and encodes the request.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = new TriageEngine(ClinicalKnowledgeBase.LoadEmbedded());
        _request = Encoding.UTF8.GetBytes(EngineBenchmarks.SevereSerotoninToxicityJson);
    }

    /// <summary>Deserialize the request, assess it, serialize the response.</summary>
    [Benchmark]
    public byte[] EndToEndJson()
    {
        var context = JsonSerializer.Deserialize<PatientContext>(_request, ClonusJson.Options)!;
        var assessment = _engine.Assess(context);
        return JsonSerializer.SerializeToUtf8Bytes(assessment, ClonusJson.Options);
    }
}
