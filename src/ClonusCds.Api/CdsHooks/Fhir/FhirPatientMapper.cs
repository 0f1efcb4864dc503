using System.Text.Json;
using System.Text.RegularExpressions;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>A draft MedicationRequest from the hook context, placed in the medication list.</summary>
internal sealed record DraftOrder(string? ResourceId, string Name, int MedicationIndex, bool Selected)
{
    /// <summary>"MedicationRequest/{id}", or a label when the draft has no id (then no delete suggestion is possible).</summary>
    public string Label => ResourceId ?? "a draft MedicationRequest without an id";
}

/// <summary>The patient context read from FHIR, with what was read from where.</summary>
internal sealed record MappedRecord(
    PatientContext Context,
    IReadOnlyList<DraftOrder> Drafts,
    IReadOnlyList<string> Notes,
    DateTimeOffset? FindingsAt,
    bool ClonusObserved);

/// <summary>Everything the service collected for one call: prefetch (or fetched) data and the hook context.</summary>
internal sealed record FhirInput(
    string PatientId,
    PrefetchData? Patient,
    PrefetchData? Conditions,
    PrefetchData? Medications,
    IReadOnlyList<PrefetchData> Observations,
    IReadOnlyList<JsonElement> DraftOrders,
    IReadOnlySet<string>? Selections)
{
    /// <summary>How many keys were read from the FHIR server.</summary>
    public int Fetched { get; init; }
}

/// <summary>
/// FHIR R4 → patient context. Codes used are listed in docs/cds-hooks.md ("FHIR codes mapped"):
/// Patient (birthDate, gender), Condition (ICD-10-CM or SNOMED CT → category; clinical and
/// verification status; onset), MedicationRequest/MedicationStatement (RxNorm or text; status;
/// authoredOn/effective → recent start), Observation (LOINC vitals and labs with units; SNOMED CT
/// clonus and Hunter findings, Present/Absent, with the kind of clonus read from text).
/// </summary>
internal sealed partial class FhirPatientMapper(ClinicalKnowledgeBase kb, TimeProvider time)
{
    /// <summary>A condition with onset this recent counts as acute.</summary>
    public const double AcuteConditionDays = 28;

    // SNOMED CT findings (shared/reference/terminology.md).
    internal const string SctClonus = "36649002";
    internal const string SctAnkleClonus = "39055007";
    internal const string SctAgitation = "24199005";
    internal const string SctDiaphoresis = "52613005";
    internal const string SctTremor = "26079004";
    internal const string SctHyperreflexia = "86854008";
    internal const string SctPresent = "52101004";
    internal const string SctAbsent = "2667000";
    internal const string SctPregnant = "77386006";
    internal const string SctNotPregnant = "60001007";

    // LOINC.
    internal const string LoincTemperature = "8310-5";
    internal const string LoincHeartRate = "8867-4";
    internal const string LoincSystolic = "8480-6";
    internal const string LoincDiastolic = "8462-4";
    internal const string LoincRespiratoryRate = "9279-1";
    internal const string LoincSpo2 = "2708-6";
    internal const string LoincSpo2Pulse = "59408-5";
    internal static readonly string[] LoincEgfr = ["33914-3", "62238-1", "98979-8"];
    internal const string LoincCreatinine = "2160-0";
    internal const string LoincCk = "2157-6";
    internal const string LoincLithium = "14334-7";
    internal const string LoincPregnancy = "82810-3";

    /// <summary>Maps the collected FHIR data. Never throws on odd FHIR: what cannot be read is noted.</summary>
    public MappedRecord Map(FhirInput input, TimeSpan episodeWindow)
    {
        var now = time.GetUtcNow();
        var notes = new List<string>();
        var patient = ReadPatient(input, now, notes);
        var (conditions, onDialysis) = ReadConditions(input, now, notes);
        var (medications, drafts) = ReadMedications(input, now, notes);
        var obs = new ObservationReader(input.PatientId, now, episodeWindow, notes);
        foreach (var data in input.Observations)
        {
            foreach (var resource in data.Resources)
            {
                obs.Add(resource);
            }
        }

        var findings = obs.Build();
        patient = patient with
        {
            Egfr = findings.Egfr,
            OnDialysis = onDialysis ? true : null,
            Pregnant = findings.Pregnant,
        };

        var observationsFailed = input.Observations.Any(o => o.Failed);
        if (observationsFailed)
        {
            notes.Add("Observations: the EHR reported an error for at least one search (OperationOutcome); findings are incomplete.");
        }

        if (input.Observations.Any(o => o.Incomplete))
        {
            notes.Add("Observations: a search had further pages that were not read; the newest results (first page) were used.");
        }

        var context = new PatientContext
        {
            Patient = patient,
            Clonus = findings.Clonus,
            Vitals = findings.Vitals,
            Exam = findings.Exam,
            Labs = findings.Labs,
            Medications = input.Medications is { Failed: true } && medications.Count == 0 ? null : medications,
            MedicationListIncomplete = input.Medications is { Failed: true } or { Incomplete: true },
            Conditions = input.Conditions is { Failed: true } && conditions.Count == 0 ? null : conditions,
            ConditionListIncomplete = input.Conditions is { Failed: true } or { Incomplete: true },
        };

        if (input.Medications is { Failed: true })
        {
            notes.Add("Medications: the EHR reported an error reading the medication list (OperationOutcome); drug exposure is unknown.");
        }
        else if (input.Medications is { Incomplete: true })
        {
            notes.Add("Medications: the list had further pages that could not be read; drug exposure is not fully known.");
        }

        if (input.Conditions is { Failed: true })
        {
            notes.Add("Conditions: the EHR reported an error reading the problem list (OperationOutcome).");
        }

        return new MappedRecord(context, drafts, notes, findings.At, findings.Clonus is not null);
    }

    // ---------------------------------------------------------------- Patient

    private static PatientInfo ReadPatient(FhirInput input, DateTimeOffset now, List<string> notes)
    {
        var resource = input.Patient?.Resources.FirstOrDefault(r => r.ResourceType() == "Patient");
        if (resource is not { } p)
        {
            notes.Add(input.Patient is { Failed: true }
                ? "Patient: the EHR reported an error reading the Patient (OperationOutcome); age and sex unknown."
                : "Patient: no Patient resource; age and sex unknown.");
            return new PatientInfo();
        }

        if (p.Str("id") is { } id && id != input.PatientId)
        {
            notes.Add("Patient: the Patient resource is not the patient in context; it was not used.");
            return new PatientInfo();
        }

        var sex = p.Str("gender") switch
        {
            "male" => Sex.Male,
            "female" => Sex.Female,
            "other" => Sex.Other,
            "unknown" => Sex.Unknown,
            _ => (Sex?)null,
        };

        double? age = null;
        if (FhirJson.Date(p.Str("birthDate")) is { } birth)
        {
            // Partial dates: mid-month or mid-year. A year-only date cannot place an infant: unknown under 2.
            var point = birth.Precision switch
            {
                DatePrecision.Year => birth.Start.AddMonths(6),
                DatePrecision.Month => birth.Start.AddDays(14),
                _ => birth.Start,
            };
            var years = (now - point).TotalDays / 365.2425;
            if (years < 0 || years > 120)
            {
                notes.Add("Patient: birthDate is outside 0–120 years; age not used.");
            }
            else if (birth.Precision == DatePrecision.Year && years < 2)
            {
                notes.Add("Patient: birthDate gives only the year, which cannot place an infant's age; age not used.");
            }
            else
            {
                age = Math.Round(years, 2);
                notes.Add(FormattableString.Invariant($"Patient: age {age:0.##} years from birthDate; sex {(sex?.ToString().ToLowerInvariant() ?? "not recorded")}."));
            }
        }
        else
        {
            notes.Add("Patient: no usable birthDate; age unknown.");
        }

        return new PatientInfo { AgeYears = age, Sex = sex };
    }

    // ---------------------------------------------------------------- Conditions

    private (List<ConditionEntry> Conditions, bool OnDialysis) ReadConditions(FhirInput input, DateTimeOffset now, List<string> notes)
    {
        var list = new List<ConditionEntry>();
        var dialysis = false;
        foreach (var c in input.Conditions?.Resources ?? [])
        {
            if (c.ResourceType() != "Condition" || !ForPatient(c, input.PatientId))
            {
                continue;
            }

            var verification = c.Obj("verificationStatus").CodeIn("http://terminology.hl7.org/CodeSystem/condition-ver-status")
                ?? c.Obj("verificationStatus").Codings().Select(x => x.Code).FirstOrDefault();
            if (verification is "refuted" or "entered-in-error")
            {
                continue;
            }

            var clinical = c.Obj("clinicalStatus").Codings().Select(x => x.Code).FirstOrDefault();
            var entry = Condition(c, now);
            var matched = kb.ConditionVocabulary.Match(entry);
            // Resolved conditions are history; inactive or in remission still count for a structural
            // lesion (an old stroke, MS in remission) and for chronic kidney disease.
            if (clinical is "resolved" || (clinical is "inactive" or "remission"
                && !(matched is { UmnLesion: true } || matched?.Category == ConditionCategory.ChronicKidneyDisease)))
            {
                continue;
            }

            if (IsDialysis(entry))
            {
                dialysis = true;
            }

            list.Add(entry);
        }

        if (list.Count > 0)
        {
            notes.Add($"Conditions: {list.Count} active condition(s) read ({string.Join(", ", list.Select(l => l.Code ?? "text only").Distinct().Take(12))}).");
        }

        return (list, dialysis);
    }

    private ConditionEntry Condition(JsonElement c, DateTimeOffset now)
    {
        var code = c.Obj("code");
        var text = Truncate(code.Text(), 200);
        ConditionOnset? onset = null;
        if (FhirJson.Date(c.Str("onsetDateTime") ?? c.Obj("onsetPeriod")?.Str("start")) is { } start)
        {
            onset = (now - start.Start).TotalDays <= AcuteConditionDays ? ConditionOnset.Acute : ConditionOnset.Chronic;
        }

        // The first ICD-10-CM or SNOMED CT coding the vocabulary places; else the first coding, so an
        // unplaced code is reported as unrecognised rather than dropped.
        ConditionEntry? first = null;
        foreach (var (system, value, display) in code.Codings())
        {
            if (value is null)
            {
                continue;
            }

            var candidate = new ConditionEntry { Code = Truncate(value, 50), System = system, Display = text ?? Truncate(display, 200), Onset = onset };
            first ??= candidate;
            if ((string.Equals(system, FhirJson.Icd10Cm, StringComparison.OrdinalIgnoreCase) || string.Equals(system, FhirJson.Snomed, StringComparison.OrdinalIgnoreCase))
                && kb.ConditionVocabulary.Match(candidate) is not null)
            {
                return candidate;
            }
        }

        return first ?? new ConditionEntry { Display = text, Onset = onset };
    }

    private static bool IsDialysis(ConditionEntry c) =>
        (c.Code is { } code && Core.Vocabulary.ConditionVocabulary.NormalizeIcd(code).StartsWith("Z992", StringComparison.Ordinal))
        || (c.Display?.Contains("dialysis", StringComparison.OrdinalIgnoreCase) ?? false);

    // ---------------------------------------------------------------- Medications

    private static (List<MedicationEntry> Medications, List<DraftOrder> Drafts) ReadMedications(FhirInput input, DateTimeOffset now, List<string> notes)
    {
        var list = new List<MedicationEntry>();
        foreach (var m in input.Medications?.Resources ?? [])
        {
            if (!ForPatient(m, input.PatientId) || Medication(m, now, draft: false) is not { } entry)
            {
                continue;
            }

            list.Add(entry);
        }

        var active = list.Count;
        var drafts = new List<DraftOrder>();
        foreach (var order in input.DraftOrders)
        {
            if (order.ResourceType() != "MedicationRequest" || Medication(order, now, draft: true) is not { } entry)
            {
                continue;
            }

            var reference = order.Reference();
            drafts.Add(new DraftOrder(reference, entry.Name ?? entry.Rxcui ?? "medication", list.Count,
                input.Selections is null || (reference is not null && input.Selections.Contains(reference))));
            list.Add(entry);
        }

        notes.Add($"Medications: {active} on the medication list; {drafts.Count} draft order(s).");
        return (list, drafts);
    }

    /// <summary>One MedicationRequest or MedicationStatement as a medication entry; null when it does not count.</summary>
    internal static MedicationEntry? Medication(JsonElement m, DateTimeOffset now, bool draft)
    {
        var type = m.ResourceType();
        if (type is not ("MedicationRequest" or "MedicationStatement"))
        {
            return null;
        }

        var status = m.Str("status");
        MedicationStatus medicationStatus;
        if (draft)
        {
            medicationStatus = MedicationStatus.Draft;
        }
        else
        {
            switch (status)
            {
                case "entered-in-error" or "not-taken":
                    return null;
                case "draft":
                    medicationStatus = MedicationStatus.Draft;
                    break;
                case "completed" or "stopped" or "cancelled":
                    medicationStatus = MedicationStatus.Stopped;
                    break;
                default:
                    // active, on-hold, intended, unknown or absent: counted as taken (unknown is not "no").
                    medicationStatus = MedicationStatus.Active;
                    break;
            }
        }

        var concept = m.Obj("medicationCodeableConcept") ?? Contained(m)?.Obj("code");
        var rxcui = concept.CodeIn(FhirJson.RxNorm);
        var name = concept?.Str("text") ?? concept.Codings().Select(c => c.Display).FirstOrDefault(d => d is not null)
            ?? m.Obj("medicationReference")?.Str("display");
        if (rxcui is null && name is null)
        {
            return null;
        }

        if (rxcui is not null && (rxcui.Length > 20 || !rxcui.All(char.IsAsciiDigit)))
        {
            rxcui = null;
        }

        MedicationChange? change = null;
        double? days = null;
        if (medicationStatus == MedicationStatus.Stopped)
        {
            change = MedicationChange.Stopped;
            if (FhirJson.Date(m.Obj("effectivePeriod")?.Str("end")) is { } end)
            {
                days = Math.Max(0, Math.Round((now - end.Start).TotalDays, 1));
            }
        }
        else if (medicationStatus == MedicationStatus.Active
            && FhirJson.Date(m.Str("authoredOn") ?? m.Str("effectiveDateTime") ?? m.Obj("effectivePeriod")?.Str("start")) is { } started)
        {
            var since = (now - started.Start).TotalDays;
            if (since >= 0)
            {
                days = Math.Round(since, 1);
                change = since <= Core.Triage.ClinicalPicture.RecentChangeDays ? MedicationChange.New : MedicationChange.Unchanged;
            }
        }

        var dosage = m.Arr(type == "MedicationRequest" ? "dosageInstruction" : "dosage").FirstOrDefault();
        return new MedicationEntry
        {
            Name = Truncate(name, 200),
            Rxcui = rxcui,
            Status = medicationStatus,
            Change = change,
            DaysSinceChange = days,
            Route = Route(dosage.ValueKind == JsonValueKind.Object ? dosage.Obj("route") : null),
            Dose = Truncate(dosage.ValueKind == JsonValueKind.Object ? dosage.Str("text") : null, 200),
        };
    }

    private static JsonElement? Contained(JsonElement m)
    {
        if (m.Obj("medicationReference")?.Str("reference") is not { } reference || !reference.StartsWith('#'))
        {
            return null;
        }

        return m.Arr("contained").FirstOrDefault(c => c.ResourceType() == "Medication" && c.Str("id") == reference[1..]) is { ValueKind: JsonValueKind.Object } found
            ? found
            : null;
    }

    private static MedicationRoute? Route(JsonElement? route)
    {
        var sct = route.CodeIn(FhirJson.Snomed);
        var text = route.Text()?.ToLowerInvariant() ?? "";
        return sct switch
        {
            "26643006" => MedicationRoute.Oral,
            "47625008" => MedicationRoute.Iv,
            "78421000" => MedicationRoute.Im,
            "72607000" => MedicationRoute.Intrathecal,
            _ when text.Contains("intrathecal", StringComparison.Ordinal) => MedicationRoute.Intrathecal,
            _ when text.Contains("intravenous", StringComparison.Ordinal) || text == "iv" => MedicationRoute.Iv,
            _ when text.Contains("intramuscular", StringComparison.Ordinal) || text == "im" => MedicationRoute.Im,
            _ when text.Contains("oral", StringComparison.Ordinal) || text.Contains("mouth", StringComparison.Ordinal) => MedicationRoute.Oral,
            _ => null,
        };
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// True unless the resource names another patient (subject or patient reference that does not
    /// end in Patient/{id}). Resources without a reference are taken as the context patient's.
    /// </summary>
    internal static bool ForPatient(JsonElement resource, string patientId)
    {
        var reference = resource.Obj("subject")?.Str("reference") ?? resource.Obj("patient")?.Str("reference");
        return reference is null || reference == patientId || reference.EndsWith("Patient/" + patientId, StringComparison.Ordinal);
    }

    internal static string? Truncate(string? s, int max) => s is null ? null : s.Length <= max ? s : s[..max];

    [GeneratedRegex(@"(\d{1,4})\s*(?:-\s*)?(?:beats?|jerks?|contractions?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex BeatsPattern();
}
