using System.Text.RegularExpressions;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using R4 = Hl7.Fhir.Model;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>A draft MedicationRequest from the hook context, placed in the medication list.</summary>
internal sealed record DraftOrder(string? ResourceId, string Name, int MedicationIndex, bool Selected)
{
    /// <summary>The order's drug could not be identified (its medicationReference resolved nowhere).</summary>
    public bool Unidentified { get; init; }

    /// <summary>"MedicationRequest/{id}", or a label when the draft has no id (then no delete suggestion is possible).</summary>
    public string Label => ResourceId ?? "a draft MedicationRequest without an id";
}

/// <summary>The patient context read from FHIR, with what was read from where.</summary>
internal sealed record MappedRecord(
    PatientContext Context,
    IReadOnlyList<DraftOrder> Drafts,
    IReadOnlyList<string> Notes,
    DateTimeOffset? FindingsAt,
    bool ClonusObserved)
{
    /// <summary>What could not be seen (keys not sent or not readable, drugs not identified, no kidney function), in words for the card.</summary>
    public IReadOnlyList<string> Unseen { get; init; } = [];

    /// <summary>Part of the medication list could not be read (an error, unread pages, a drug not identified): drug checks cover only what was seen.</summary>
    public bool MedicinesPartlySeen { get; init; }

    /// <summary>No kidney function in the record: no eGFR, no serum creatinine, no CKD or dialysis condition.</summary>
    public bool KidneyFunctionUnseen { get; init; }
}

/// <summary>Everything the service collected for one call: prefetch (or fetched) data and the hook context.</summary>
internal sealed record FhirInput(
    string PatientId,
    PrefetchData? Patient,
    PrefetchData? Conditions,
    PrefetchData? Medications,
    IReadOnlyList<PrefetchData> Observations,
    IReadOnlyList<R4.Resource> DraftOrders,
    IReadOnlySet<string>? Selections)
{
    /// <summary>How many keys were read from the FHIR server.</summary>
    public int Fetched { get; init; }

    /// <summary>Home and reported medicines (MedicationStatement), when that key was sent or fetched.</summary>
    public PrefetchData? MedicationStatements { get; init; }

    /// <summary>The <c>fullUrl</c> of each draft order entry (same order as <see cref="DraftOrders"/>).</summary>
    public IReadOnlyList<string?> DraftFullUrls { get; init; } = [];

    /// <summary>The resolver, with anything fetched for this call; built from the data when not given.</summary>
    public FhirReferenceResolver? Resolver { get; init; }

    /// <summary>Prefetch keys the client did not send and the service could not fetch (optional keys only).</summary>
    public IReadOnlyList<string> Unseen { get; init; } = [];

    /// <summary>Every prefetch key's data collected for this call.</summary>
    public IEnumerable<PrefetchData> AllData()
    {
        foreach (var d in new[] { Patient, Conditions, Medications, MedicationStatements })
        {
            if (d is not null)
            {
                yield return d;
            }
        }

        foreach (var d in Observations)
        {
            yield return d;
        }
    }
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
    internal static readonly IReadOnlySet<string> LoincEgfr = CdsServiceCatalog.EgfrLoincCodes.ToHashSet(StringComparer.Ordinal);
    internal static readonly IReadOnlySet<string> LoincCreatinine = CdsServiceCatalog.CreatinineLoincCodes.ToHashSet(StringComparer.Ordinal);
    internal const string LoincCk = "2157-6";
    internal const string LoincLithium = "14334-7";
    internal const string LoincPregnancy = "82810-3";
    internal const string LoincPregnancyReported = "11449-6";

    /// <summary>Maps the collected FHIR data. Never throws on odd FHIR: what cannot be read is noted.</summary>
    public MappedRecord Map(FhirInput input, TimeSpan episodeWindow)
    {
        var now = time.GetUtcNow();
        var notes = new List<string>();
        var resolver = input.Resolver ?? FhirReferenceResolver.For(input);
        var patient = ReadPatient(input, now, notes);
        var (conditions, onDialysis) = ReadConditions(input, resolver, now, notes);
        var (medications, drafts) = ReadMedications(input, resolver, now, notes);
        var obs = new ObservationReader(input.PatientId, now, episodeWindow, notes) { Resolver = resolver };
        foreach (var data in input.Observations)
        {
            foreach (var resource in data.Resources)
            {
                obs.Add(resource, data.Key);
            }
        }

        var findings = obs.Build();
        // An eGFR reported only as a bound ('>60') cannot place an adult in the baclofen bands
        // (50–80 reduces the dose): with a creatinine on file the engine estimates from it instead.
        var egfrIsBound = findings.EgfrLowerBound && findings.Labs?.CreatinineMgPerDl is not null && patient.AgeYears >= 18;
        if (egfrIsBound)
        {
            notes.Add("eGFR reported only as a lower bound: kidney function estimated from the serum creatinine instead");
        }

        patient = patient with
        {
            Egfr = egfrIsBound ? null : findings.Egfr,
            OnDialysis = onDialysis ? true : null,
            Pregnant = findings.Pregnant,
        };

        // Statements that failed or were cut short leave exposure as unknown as failed orders do.
        var medicationLists = new[] { input.Medications, input.MedicationStatements };
        var context = new PatientContext
        {
            Patient = patient,
            Clonus = findings.Clonus,
            Vitals = findings.Vitals,
            Exam = findings.Exam,
            Labs = findings.Labs,
            Medications = input.Medications is { Failed: true } && medications.Count == 0 ? null : medications,
            MedicationListIncomplete = medicationLists.Any(d => d is { Failed: true } or { Incomplete: true }),
            Conditions = input.Conditions is { Failed: true } && conditions.Count == 0 ? null : conditions,
            ConditionListIncomplete = input.Conditions is { Failed: true } or { Incomplete: true },
        };

        // What could not be seen is said once, here (the card's "Could not be seen"), not among the readings.
        var unseen = new List<string>();
        if (input.Unseen.Contains(CdsServiceCatalog.Keys.MedicationStatements))
        {
            // Listed on every card, but no card of its own: an EHR that does not send statements would
            // otherwise get one on every order.
            unseen.Add("Home and reported medicines (MedicationStatement): not sent and not fetchable, so a drug recorded only there was not checked.");
        }

        if (input.Unseen.Contains(CdsServiceCatalog.Keys.Exam))
        {
            unseen.Add("Examination observations (category exam): not sent and not fetchable, so findings under local codes were not read.");
        }

        var medicinesPartlySeen = false;
        foreach (var data in medicationLists)
        {
            if (data is { Failed: true } or { Incomplete: true })
            {
                unseen.Add($"{(data.Key == CdsServiceCatalog.Keys.Medications ? "Medication orders" : "Home and reported medicines")}: {Gap(data)}, so drug exposure is not fully known.");
                medicinesPartlySeen = true;
            }
        }

        var unidentified = medications.Count(m => m.Status != MedicationStatus.Draft && IsUnidentified(m));
        if (unidentified > 0)
        {
            unseen.Add($"{unidentified} medicine(s) on the list could not be identified (their Medication reference resolved nowhere); their effect is unknown.");
            medicinesPartlySeen = true;
        }

        if (input.Conditions is { Failed: true } or { Incomplete: true })
        {
            unseen.Add($"Conditions: {Gap(input.Conditions)}, so a known lesion, liver failure or kidney disease may be missing.");
        }

        foreach (var data in input.Observations.Where(o => o.Failed || o.Incomplete))
        {
            unseen.Add($"Observations ({data.Key}): {Gap(data)}{(data.Failed ? ", so those findings are unknown" : "; the newest results (first page) were used")}.");
        }

        var kidneyUnseen = findings.Egfr is null && findings.Labs?.CreatinineMgPerDl is null && !onDialysis
            && !conditions.Any(c => kb.ConditionVocabulary.Match(c)?.Category == ConditionCategory.ChronicKidneyDisease);
        if (kidneyUnseen)
        {
            unseen.Add("Kidney function: no eGFR, serum creatinine, CKD or dialysis entry was in the record; it is unknown, not normal.");
        }

        return new MappedRecord(context, drafts, notes, findings.At, findings.Clonus is not null)
        {
            Unseen = unseen,
            MedicinesPartlySeen = medicinesPartlySeen,
            KidneyFunctionUnseen = kidneyUnseen,
        };
    }

    // ---------------------------------------------------------------- Patient

    private static PatientInfo ReadPatient(FhirInput input, DateTimeOffset now, List<string> notes)
    {
        if (input.Patient?.Resources.OfType<R4.Patient>().FirstOrDefault() is not { } p)
        {
            notes.Add(input.Patient is { Failed: true }
                ? "Patient: the EHR reported an error reading the Patient (OperationOutcome); age and sex unknown."
                : "Patient: no Patient resource; age and sex unknown.");
            return new PatientInfo();
        }

        if (FhirResources.Text(p.Id) is { } id && id != input.PatientId)
        {
            notes.Add("Patient: the Patient resource is not the patient in context; it was not used.");
            return new PatientInfo();
        }

        var sex = p.GenderElement.Raw() switch
        {
            "male" => Sex.Male,
            "female" => Sex.Female,
            "other" => Sex.Other,
            "unknown" => Sex.Unknown,
            _ => (Sex?)null,
        };

        double? age = null;
        if (FhirResources.Date(p.BirthDate) is { } birth)
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

    private (List<ConditionEntry> Conditions, bool OnDialysis) ReadConditions(FhirInput input, FhirReferenceResolver resolver, DateTimeOffset now, List<string> notes)
    {
        var list = new List<ConditionEntry>();
        var dialysis = false;
        foreach (var c in input.Conditions?.Resources.OfType<R4.Condition>() ?? [])
        {
            if (!ForPatient(c, input.PatientId, resolver, input.Conditions!.Key))
            {
                continue;
            }

            var verification = c.VerificationStatus.CodeIn("http://terminology.hl7.org/CodeSystem/condition-ver-status")
                ?? c.VerificationStatus.Codings().Select(x => x.Code).FirstOrDefault();
            if (verification is "refuted" or "entered-in-error")
            {
                continue;
            }

            var clinical = c.ClinicalStatus.Codings().Select(x => x.Code).FirstOrDefault();
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

    private ConditionEntry Condition(R4.Condition c, DateTimeOffset now)
    {
        var code = c.Code;
        var text = Truncate(code.Words(), 200);
        ConditionOnset? onset = null;
        var onsetAt = c.Onset switch
        {
            R4.FhirDateTime at => at.Value,
            R4.Period period => period.Start,
            _ => null,
        };
        if (FhirResources.Date(onsetAt) is { } start)
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
            if ((string.Equals(system, FhirResources.Icd10Cm, StringComparison.OrdinalIgnoreCase) || string.Equals(system, FhirResources.Snomed, StringComparison.OrdinalIgnoreCase))
                && kb.ConditionVocabulary.Match(candidate) is not null)
            {
                return candidate;
            }
        }

        return first ?? new ConditionEntry { Display = text, Onset = onset };
    }

    /// <summary>Dialysis status: ICD-10-CM Z99.2, SNOMED CT 105502003 (dependence on renal dialysis), or the word.</summary>
    private static bool IsDialysis(ConditionEntry c) =>
        (c.Code is { } code && (Core.Vocabulary.ConditionVocabulary.NormalizeIcd(code).StartsWith("Z992", StringComparison.Ordinal) || code == SctDialysisDependence))
        || (c.Display?.Contains("dialysis", StringComparison.OrdinalIgnoreCase) ?? false);

    internal const string SctDialysisDependence = "105502003";

    // ---------------------------------------------------------------- Medications

    private static (List<MedicationEntry> Medications, List<DraftOrder> Drafts) ReadMedications(
        FhirInput input, FhirReferenceResolver resolver, DateTimeOffset now, List<string> notes)
    {
        var list = new List<MedicationEntry>();
        var statements = 0;
        foreach (var data in new[] { input.Medications, input.MedicationStatements })
        {
            foreach (var m in data?.Resources ?? [])
            {
                if (!ForPatient(m, input.PatientId, resolver, data!.Key) || Medication(m, now, draft: false, resolver, data.Key, notes) is not { } entry)
                {
                    continue;
                }

                list.Add(entry);
                if (m is R4.MedicationStatement)
                {
                    statements++;
                }
            }
        }

        var active = list.Count;
        var drafts = new List<DraftOrder>();
        foreach (var order in input.DraftOrders)
        {
            if (order is not R4.MedicationRequest || Medication(order, now, draft: true, resolver, FhirReferenceResolver.DraftOrders, notes) is not { } entry)
            {
                continue;
            }

            var reference = order.Reference();
            drafts.Add(new DraftOrder(reference, entry.Name ?? entry.Rxcui ?? "medication", list.Count,
                input.Selections is null || (reference is not null && input.Selections.Contains(reference)))
            {
                Unidentified = IsUnidentified(entry),
            });
            list.Add(entry);
        }

        notes.Add($"Medications: {active} on the medication list{(statements > 0 ? $" ({statements} from MedicationStatement)" : "")}; {drafts.Count} draft order(s).");
        return (list, drafts);
    }

    /// <summary>The name given to a medication whose reference could not be resolved (the engine reports it as not recognised).</summary>
    internal const string UnidentifiedPrefix = "unidentified medication";

    /// <summary>An entry whose drug could not be identified (see <see cref="UnidentifiedPrefix"/>).</summary>
    internal static bool IsUnidentified(MedicationEntry m) =>
        m.Rxcui is null && m.Name?.StartsWith(UnidentifiedPrefix, StringComparison.Ordinal) == true;

    private static string Gap(PrefetchData data) =>
        data.Failed ? "the EHR reported an error (OperationOutcome)" : "further pages could not be read";

    /// <summary>
    /// One MedicationRequest or MedicationStatement as a medication entry; null when it does not
    /// count (entered in error, not taken, or not a medication resource). The drug is read from
    /// <c>medicationCodeableConcept</c>, else from the Medication that <c>medicationReference</c>
    /// points to (contained, a Bundle entry, or fetched: <see cref="FhirReferenceResolver"/>), else
    /// from the reference's display. A reference that resolves nowhere gives an "unidentified
    /// medication" entry, so the list is known to be incomplete rather than read as "none".
    /// </summary>
    internal static MedicationEntry? Medication(R4.Resource m, DateTimeOffset now, bool draft, FhirReferenceResolver? resolver = null, string? source = null, List<string>? notes = null)
    {
        // The two resources share what is read here under different names: dosageInstruction / dosage,
        // authoredOn / effective[x].
        var (status, medicationElement, dosages) = m switch
        {
            R4.MedicationRequest r => (r.StatusElement.Raw(), r.Medication, r.DosageInstruction),
            R4.MedicationStatement s => (s.StatusElement.Raw(), s.Medication, s.Dosage),
            _ => default((string?, R4.DataType?, List<R4.Dosage>?)),
        };
        if (dosages is null)
        {
            return null;
        }

        var type = m.TypeName;
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
                    // active, on-hold, intended, unknown, absent or a code outside the value set:
                    // counted as taken (unknown is not "no").
                    medicationStatus = MedicationStatus.Active;
                    break;
            }
        }

        var concept = medicationElement as R4.CodeableConcept;
        var medicationReference = medicationElement as R4.ResourceReference;
        var referenceText = FhirResources.Text(medicationReference?.Reference);
        R4.Medication? medication = null;
        if (concept is null && referenceText is not null)
        {
            var resolved = (resolver ?? new FhirReferenceResolver()).Resolve(m, referenceText, "Medication", source);
            if (resolved is { Resource: R4.Medication found } r)
            {
                medication = found;
                if (r.Origin != ReferenceOrigin.Contained)
                {
                    notes?.Add($"{m.Reference() ?? type}: medication read from {Shorten(referenceText)} ({OriginText(r.Origin)}).");
                }
            }
        }

        concept ??= medication?.Code;
        var rxcui = concept.CodeIn(FhirResources.RxNorm);
        var name = FhirResources.Text(concept?.Text) ?? concept.Codings().Select(c => c.Display).FirstOrDefault(d => d is not null)
            ?? FhirResources.Text(medicationReference?.Display);
        if (rxcui is null && name is null && medication is not null)
        {
            // A Medication without a code: its ingredients (a compounded or multi-ingredient product).
            var ingredient = medication.Ingredient.Select(i => i?.Item as R4.CodeableConcept).FirstOrDefault(c => c is not null);
            rxcui = ingredient.CodeIn(FhirResources.RxNorm);
            name = ingredient.Words();
        }

        if (rxcui is null && name is null)
        {
            if (referenceText is null)
            {
                return null;
            }

            // The drug cannot be identified: say so rather than drop it (an unknown drug is not "no drug").
            name = $"{UnidentifiedPrefix} ({Truncate(referenceText, 80)})";
            notes?.Add($"{m.Reference() ?? type}: its medicationReference {Shorten(referenceText)} could not be resolved (not contained, not in any Bundle, not fetched); the drug is unknown.");
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
            if (StoppedAt(m) is { } end)
            {
                days = Math.Max(0, Math.Round((now - end).TotalDays, 1));
            }
        }
        else if (medicationStatus == MedicationStatus.Active && FhirResources.Date(StartedAt(m)) is { } started)
        {
            var since = (now - started.Start).TotalDays;
            if (since >= 0)
            {
                days = Math.Round(since, 1);
                change = since <= Core.Triage.ClinicalPicture.RecentChangeDays ? MedicationChange.New : MedicationChange.Unchanged;
            }
        }

        var dosage = dosages.FirstOrDefault();
        return new MedicationEntry
        {
            Name = Truncate(name, 200),
            Rxcui = rxcui,
            Status = medicationStatus,
            Change = change,
            DaysSinceChange = days,
            Route = Route(dosage?.Route),
            Dose = Truncate(FhirResources.Text(dosage?.Text), 200),
        };
    }

    /// <summary>When the medicine was started: the order's <c>authoredOn</c>; the statement's <c>effectiveDateTime</c> or <c>effectivePeriod.start</c>.</summary>
    private static string? StartedAt(R4.Resource m) => m switch
    {
        R4.MedicationRequest r => r.AuthoredOn,
        R4.MedicationStatement { Effective: R4.FhirDateTime at } => at.Value,
        R4.MedicationStatement { Effective: R4.Period period } => period.Start,
        _ => null,
    };

    /// <summary>
    /// When a stopped or completed medicine was stopped: the end of its period
    /// (MedicationStatement <c>effectivePeriod.end</c>; MedicationRequest dosage
    /// <c>timing.repeat.boundsPeriod.end</c> or <c>dispenseRequest.validityPeriod.end</c>), else the
    /// latest date the record was known stopped — the statement's <c>dateAsserted</c> or the
    /// resource's <c>meta.lastUpdated</c> — which bounds the time since stopping from below (the
    /// drug was stopped no later than that), so a washout is never judged over too early.
    /// </summary>
    private static DateTimeOffset? StoppedAt(R4.Resource m)
    {
        var end = m switch
        {
            R4.MedicationStatement { Effective: R4.Period period } => FhirResources.Date(period.End),
            R4.MedicationRequest r => r.DosageInstruction.Select(d => FhirResources.Date((d?.Timing?.Repeat?.Bounds as R4.Period)?.End)).FirstOrDefault(d => d is not null)
                ?? FhirResources.Date(r.DispenseRequest?.ValidityPeriod?.End),
            _ => null,
        };
        if (end is { } e)
        {
            return e.Start;
        }

        var known = (m is R4.MedicationStatement s ? FhirResources.Date(s.DateAsserted) : null) ?? FhirResources.Date(m.Meta?.LastUpdated);
        return known?.Start;
    }

    private static string OriginText(ReferenceOrigin origin) => origin switch
    {
        ReferenceOrigin.SameBundle => "an entry of the same Bundle",
        ReferenceOrigin.OtherBundle => "an entry of another prefetch Bundle",
        ReferenceOrigin.Fetched => "read from the FHIR server",
        _ => "contained",
    };

    private static string Shorten(string reference) => Truncate(reference, 120)!;

    private static MedicationRoute? Route(R4.CodeableConcept? route)
    {
        var sct = route.CodeIn(FhirResources.Snomed);
        var text = route.Words()?.ToLowerInvariant() ?? "";
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
    internal static bool ForPatient(R4.Resource resource, string patientId, FhirReferenceResolver? resolver = null, string? source = null)
    {
        var subject = resource switch
        {
            R4.Condition c => c.Subject,
            R4.MedicationRequest r => r.Subject,
            R4.MedicationStatement s => s.Subject,
            R4.Observation o => o.Subject,
            _ => null,
        };
        var reference = FhirResources.Text(subject?.Reference);
        if (reference is null || reference == patientId || reference.EndsWith("Patient/" + patientId, StringComparison.Ordinal)
            || FhirReferenceResolver.Normalize(reference) == "Patient/" + patientId)
        {
            return true;
        }

        // A urn:uuid or other fullUrl reference: the Patient entry it points to decides.
        return resolver?.Resolve(resource, reference, "Patient", source) is { Resource: R4.Patient patient } && patient.Id == patientId;
    }

    internal static string? Truncate(string? s, int max) => s is null ? null : s.Length <= max ? s : s[..max];

    [GeneratedRegex(@"(\d{1,4})\s*(?:-\s*)?(?:beats?|jerks?|contractions?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex BeatsPattern();
}
