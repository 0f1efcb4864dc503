using System.Text.Json;
using System.Text.RegularExpressions;
using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Vocabulary;
using Xunit.Abstractions;
using C = ClonusCds.Core.Tests.ContractCodes;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Safety invariants of the engine, each checked as an FsCheck property over thousands of random
/// valid patient contexts (<see cref="RandomPatients"/>, some pushed toward the dangerous pictures:
/// see <see cref="InvariantCases"/>). The invariants are the product's specification; a failure is
/// an engine defect, never a reason to loosen the property.
/// <para>
/// Environment: <c>CLONUS_PROPERTY_CASES</c> sets the cases per property (default 2,000; the
/// whole file then takes about 5 s in Debug); <c>CLONUS_PROPERTY_SEED</c> sets the run's seed
/// (default fixed, so CI is reproducible): <c>seed</c> or <c>seed,gamma</c> replays a whole run,
/// <c>seed,gamma,size</c> replays the one failing case (the three numbers FsCheck prints after
/// "Replay directly at failing step with", or, when the very first case fails, the seed pair and
/// size of "Last step was invoked with size of … and seed of …"). A failure prints the run's seed,
/// the case's index in the run, the drawn values that rebuild its context (patient seed, bias,
/// mutation seed, pick), the context itself as JSON, the answer's etiology, urgency and codes, and
/// what is wrong. Example of a longer, different run:
/// <c>CLONUS_PROPERTY_CASES=50000 CLONUS_PROPERTY_SEED=7 dotnet test tests/ClonusCds.Core.Tests --filter "FullyQualifiedName~SafetyInvariant"</c>.
/// </para>
/// Each property also counts how often its premise was met and fails when that falls below a
/// floor: a property whose premise is never true proves nothing.
/// </summary>
public sealed class SafetyInvariantTests(ITestOutputHelper output)
{
    private static readonly string[] Antispastics =
    [
        C.BaclofenFirstLine, C.BaclofenTitrationSchedule, C.BaclofenTrialWithStrokeCaution, C.BotulinumToxinFocal, C.PhenolNeurolysis,
        C.SwitchTizanidineToBaclofen,
    ];

    private static readonly string[] BaclofenStarts =
    [
        C.BaclofenFirstLine, C.BaclofenTitrationSchedule, C.BaclofenTrialWithStrokeCaution, C.ReinstateBaclofen, C.SwitchTizanidineToBaclofen,
    ];

    // ------------------------------------------------------------------ 1

    /// <summary>
    /// Hunter met ⇒ serotonin toxicity is the primary etiology or a differential; never the
    /// "do not label as serotonin syndrome" pitfall; never NMS-specific therapy (bromocriptine is
    /// serotonergic). [DUNKLEY2003; BOYER2005; evidence brief §1.1, §2 rule 5, §5.4]
    /// </summary>
    [Fact]
    public void Hunter_criteria_met_keeps_serotonin_toxicity_in_view_and_its_contraindications_out() =>
        InvariantRun.Check(nameof(Hunter_criteria_met_keeps_serotonin_toxicity_in_view_and_its_contraindications_out), output, (c, tally) =>
        {
            var a = Engine.Assess(c.Context);
            if (a.SerotoninToxicity?.HunterCriteriaMet != true)
            {
                return null;
            }

            tally.Count("hunter met");
            var problems = new List<string>();
            if (a.Etiology.Primary != Etiology.SerotoninToxicity && !a.Etiology.Differentials.Any(d => d.Etiology == Etiology.SerotoninToxicity))
            {
                problems.Add($"Hunter rule(s) {string.Join(",", a.SerotoninToxicity.HunterRulesFired)} met but serotonin toxicity is neither primary nor a differential");
            }

            if (Has(a, C.DoNotLabelAsSerotoninSyndrome))
            {
                problems.Add($"pitfall {C.DoNotLabelAsSerotoninSyndrome} although the Hunter criteria are met");
            }

            if (Has(a, C.NmsSpecificTherapySpecialist))
            {
                problems.Add($"{C.NmsSpecificTherapySpecialist} (bromocriptine/dantrolene) recommended although the Hunter criteria are met");
            }

            return Fail(problems, a);
        }, ("hunter met", 50));

    // ------------------------------------------------------------------ 2

    private static readonly bool DopaminergicRoleKnown = Engine.Kb.Drugs.Any(d => d.Roles.Contains("dopaminergic"));

    /// <summary>
    /// Malignant hyperthermia is never the call without a trigger (volatile anaesthetic or
    /// succinylcholine) on the list, active or stopped (a draft is not given yet). NMS is never the
    /// call without a dopamine antagonist on the list (not draft) or a dopaminergic drug stopped or
    /// reduced (the role may not exist in the vocabulary yet; then only the antagonist counts).
    /// [BOYER2005 table; AAP-T7; NEWMAN2009; evidence brief §2 rules 2 and 4, §5.3]
    /// </summary>
    [Fact]
    public void Malignant_hyperthermia_and_nms_are_never_called_without_their_drug()
    {
        output.WriteLine(DopaminergicRoleKnown
            ? "the vocabulary has a dopaminergic role: a dopaminergic drug stopped or reduced also allows NMS"
            : "note: the vocabulary has no dopaminergic role yet: only a dopamine antagonist allows NMS");
        InvariantRun.Check(nameof(Malignant_hyperthermia_and_nms_are_never_called_without_their_drug), output, (c, tally) =>
        {
            var a = Engine.Assess(c.Context);
            var meds = c.Context.Medications ?? [];

            if (a.Etiology.Subtype == EtiologySubtype.MalignantHyperthermia)
            {
                tally.Count("primary malignant hyperthermia");
                if (!meds.Any(m => m.Status != MedicationStatus.Draft && HasRole(m, "mh_trigger")))
                {
                    return new Violation(
                        $"primary malignant hyperthermia but no mh_trigger drug ({string.Join(", ", Engine.Kb.Drugs.Where(d => d.Roles.Contains("mh_trigger")).Select(d => d.Name))}) is on the list active or stopped; " +
                        $"setting={c.Context.Setting?.ToString() ?? "null"}, medications: {Meds(meds)}", a);
                }
            }

            if (a.Etiology.Subtype == EtiologySubtype.NeurolepticMalignantSyndrome)
            {
                tally.Count("primary nms");
                var antagonist = meds.Any(m => m.Status != MedicationStatus.Draft && HasRole(m, "dopamine_antagonist"));
                var dopaminergicWithdrawn = DopaminergicRoleKnown && meds.Any(m => m.Status != MedicationStatus.Draft && HasRole(m, "dopaminergic")
                    && (m.Status == MedicationStatus.Stopped || m.Change is MedicationChange.Stopped or MedicationChange.DoseDecreased));
                if (!antagonist && !dopaminergicWithdrawn)
                {
                    return new Violation(
                        $"primary NMS but no dopamine_antagonist on the list (not draft) and no dopaminergic drug stopped or reduced" +
                        $"{(DopaminergicRoleKnown ? "" : " (the vocabulary has no dopaminergic role)")}; medications: {Meds(meds)}", a);
                }
            }

            return null;
        }, ("primary malignant hyperthermia", 50), ("primary nms", 50));
    }

    // ------------------------------------------------------------------ 3

    /// <summary>
    /// No pitfall contradicts the primary etiology or a recommendation in the same answer:
    /// serotonin toxicity vs "do not label as serotonin syndrome"; cyproheptadine vs "cyproheptadine
    /// is anticholinergic"; NMS therapy vs "avoid bromocriptine/dantrolene in serotonin toxicity";
    /// "treat the cause, not the clonus" (metabolic) vs any antispastic; "avoid sedatives in hepatic
    /// encephalopathy" vs a benzodiazepine with no caution attached.
    /// </summary>
    [Fact]
    public void No_pitfall_contradicts_the_primary_etiology_or_a_recommendation() =>
        InvariantRun.Check(nameof(No_pitfall_contradicts_the_primary_etiology_or_a_recommendation), output, (c, tally) =>
        {
            var a = Engine.Assess(c.Context);
            var recommended = Recommendations(a).ToDictionary(i => i.Code, StringComparer.Ordinal);
            var pitfalls = a.Pitfalls.Select(p => p.Code).ToHashSet(StringComparer.Ordinal);
            var problems = new List<string>();
            var any = false;
            void Pair(bool left, string leftText, string pitfall)
            {
                if (left)
                {
                    any = true;
                    tally.Count($"{leftText}");
                    if (pitfalls.Contains(pitfall))
                    {
                        problems.Add($"{leftText} together with pitfall {pitfall}");
                    }
                }
            }

            Pair(a.Etiology.Primary == Etiology.SerotoninToxicity, "primary serotonin_toxicity", C.DoNotLabelAsSerotoninSyndrome);
            Pair(recommended.ContainsKey(C.Cyproheptadine), $"recommendation {C.Cyproheptadine}", C.CyproheptadineAnticholinergic);
            Pair(recommended.ContainsKey(C.NmsSpecificTherapySpecialist), $"recommendation {C.NmsSpecificTherapySpecialist}", C.AvoidBromocriptineDantroleneInSt);
            if (pitfalls.Contains(C.TreatCauseNotClonusInMetabolic))
            {
                any = true;
                tally.Count($"pitfall {C.TreatCauseNotClonusInMetabolic}");
                var antispastics = Antispastics.Where(recommended.ContainsKey).ToList();
                if (antispastics.Count > 0)
                {
                    problems.Add($"pitfall {C.TreatCauseNotClonusInMetabolic} together with antispastic recommendation(s) {string.Join(", ", antispastics)}");
                }
            }

            if (pitfalls.Contains(C.AvoidSedativesInHepaticEncephalopathy))
            {
                any = true;
                tally.Count($"pitfall {C.AvoidSedativesInHepaticEncephalopathy}");
                if (recommended.TryGetValue(C.Benzodiazepine, out var benzodiazepine))
                {
                    tally.Count($"{C.Benzodiazepine} with pitfall {C.AvoidSedativesInHepaticEncephalopathy}");
                }

                if (benzodiazepine is { Cautions.Count: 0 })
                {
                    problems.Add($"pitfall {C.AvoidSedativesInHepaticEncephalopathy} together with recommendation {C.Benzodiazepine} carrying no caution");
                }
            }

            if (any)
            {
                tally.Count("a contradiction pair's first half present");
            }

            return Fail(problems, a);
        }, ("a contradiction pair's first half present", 50));

    // ------------------------------------------------------------------ 4

    /// <summary>
    /// A toxic emergency or an agitated patient gets the "avoid physical restraints" pitfall;
    /// no recommendation in an answer positively recommends an antipyretic, haloperidol, droperidol
    /// or succinylcholine (see <see cref="AdviceText"/>); non-depolarising paralysis always comes
    /// with "avoid succinylcholine". [BOYER2005; SEED-001; GGC; VUMC2021; evidence brief §2 rule 5]
    /// </summary>
    [Fact]
    public void Toxic_emergency_or_agitation_brings_restraint_and_succinylcholine_warnings_and_no_contraindicated_drug() =>
        InvariantRun.Check(nameof(Toxic_emergency_or_agitation_brings_restraint_and_succinylcholine_warnings_and_no_contraindicated_drug), output, (c, tally) =>
        {
            var a = Engine.Assess(c.Context);
            var exam = c.Context.Exam;
            var toxicEmergency = a.Urgency == Urgency.Emergency
                && (a.Etiology.Primary is Etiology.SerotoninToxicity or Etiology.OtherDrugToxicity || a.Etiology.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity);
            var agitated = exam?.Agitation == true || exam?.MentalStatus == MentalStatus.Agitated;
            var problems = new List<string>();
            if (toxicEmergency || agitated)
            {
                tally.Count("toxic emergency or agitation");
                if (!Has(a, C.AvoidPhysicalRestraints))
                {
                    problems.Add($"no pitfall {C.AvoidPhysicalRestraints} although " +
                        (toxicEmergency ? $"the answer is a toxic emergency ({a.Etiology.Primary}/{a.Etiology.Subtype?.ToString() ?? "-"})" : "") +
                        (toxicEmergency && agitated ? " and " : "") +
                        (agitated ? $"the patient is agitated (exam.agitation={exam?.Agitation?.ToString() ?? "null"}, exam.mentalStatus={exam?.MentalStatus?.ToString() ?? "null"})" : ""));
                }
            }

            foreach (var item in Recommendations(a))
            {
                var positive = AdviceText.PositiveMentions(item.Code, item.Title, item.Text, item.Dosing);
                if (positive.Count > 0)
                {
                    problems.Add($"recommendation {item.Code} positively names {string.Join("; ", positive)}");
                }
            }

            if (Recommendations(a).Any(i => i.Code == C.ConsiderIntubationNondepolarizingParalysis))
            {
                tally.Count("non-depolarising paralysis recommended");
                if (!Has(a, C.AvoidSuccinylcholine))
                {
                    problems.Add($"{C.ConsiderIntubationNondepolarizingParalysis} recommended without pitfall {C.AvoidSuccinylcholine}");
                }
            }

            return Fail(problems, a);
        }, ("toxic emergency or agitation", 50), ("non-depolarising paralysis recommended", 50));

    /// <summary>
    /// The knowledge-base side of invariant 4: no recommendation (not pitfall) in the whole content
    /// names an antipyretic, haloperidol, droperidol or succinylcholine except in a clearly negative
    /// clause of a code reviewed by hand (<see cref="AdviceText.ReviewedNegativeMentions"/>).
    /// </summary>
    [Fact]
    public void No_recommendation_in_the_knowledge_base_positively_names_an_antipyretic_haloperidol_droperidol_or_succinylcholine()
    {
        var problems = new List<string>();
        var mentioned = new List<string>();
        foreach (var r in Engine.Kb.Recommendations.Where(r => !r.IsPitfall))
        {
            if (AdviceText.Mentions(r.Title, r.Text, r.Dosing).Count > 0)
            {
                mentioned.Add(r.Code);
            }

            var positive = AdviceText.PositiveMentions(r.Code, r.Title, r.Text, r.Dosing);
            if (positive.Count > 0)
            {
                problems.Add($"{r.Code}: {string.Join("; ", positive)}");
            }
        }

        output.WriteLine($"recommendations naming one of the drugs: {string.Join(", ", mentioned)}");
        Assert.True(problems.Count == 0, "Recommendations that name a drug to avoid outside a reviewed negative clause:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        // The check must be able to see something: the MH protocol names succinylcholine (to stop it).
        Assert.Contains(C.StopTriggerAndGiveDantrolene, mentioned);
    }

    /// <summary>The text check itself: a positive mention is caught, a negative one is not.</summary>
    [Fact]
    public void The_advice_text_check_tells_a_negative_mention_from_a_positive_one()
    {
        Assert.NotEmpty(AdviceText.PositiveMentions("x", "Give haloperidol 5 mg IM for agitation."));
        Assert.NotEmpty(AdviceText.PositiveMentions("x", "Use succinylcholine for rapid sequence intubation."));
        Assert.NotEmpty(AdviceText.PositiveMentions("x", "Do not use droperidol; give haloperidol instead."));
        Assert.NotEmpty(AdviceText.PositiveMentions("x", "Paracetamol 1 g for fever."));
        // Negative in the text, but the code was never reviewed: still reported.
        Assert.NotEmpty(AdviceText.PositiveMentions("x", "Stop succinylcholine."));
        Assert.Empty(AdviceText.PositiveMentions(C.StopTriggerAndGiveDantrolene,
            "In suspected malignant hyperthermia, stop volatile anaesthetics and succinylcholine immediately, give dantrolene."));
        Assert.NotEmpty(AdviceText.PositiveMentions(C.StopTriggerAndGiveDantrolene, "Give succinylcholine, then dantrolene."));
    }

    // ------------------------------------------------------------------ 5

    private static readonly string[] BaclofenBrands = ["Lioresal", "Gablofen", "Ozobax", "Lyvispah", "Fleqsuvy"];

    /// <summary>
    /// Baclofen toxicity (primary or differential) ⇒ no baclofen start, titration, stroke trial,
    /// reinstatement or switch to baclofen. A baclofen withdrawal event (baclofen stopped or reduced
    /// in the last 3 days or on an unknown day, not a draft) ⇒ reinstate_baclofen, except where
    /// stopping may be intended: eGFR &lt; 30 or dialysis, an adverse reaction or intolerance to
    /// baclofen in the treatment history, or baclofen toxicity in the answer.
    /// [BACLOFEN-LABEL; BACLOFEN-CKD; COFFEY2002; evidence brief §4.1, §5.2]
    /// </summary>
    [Fact]
    public void Baclofen_toxicity_gets_no_baclofen_and_baclofen_withdrawal_gets_it_back() =>
        InvariantRun.Check(nameof(Baclofen_toxicity_gets_no_baclofen_and_baclofen_withdrawal_gets_it_back), output, (c, tally) =>
        {
            var a = Engine.Assess(c.Context);
            var x = c.Context;
            var toxicity = a.Etiology.Subtype == EtiologySubtype.BaclofenToxicity
                || a.Etiology.Differentials.Any(d => d.Subtype == EtiologySubtype.BaclofenToxicity);
            if (toxicity)
            {
                tally.Count("baclofen toxicity in the answer");
                var given = BaclofenStarts.Where(code => Has(a, code)).ToList();
                if (given.Count > 0)
                {
                    return new Violation($"baclofen toxicity ({(a.Etiology.Subtype == EtiologySubtype.BaclofenToxicity ? "primary" : "differential")}) but {string.Join(", ", given)} recommended", a);
                }

                return null;
            }

            var events = (x.Medications ?? []).Select((m, i) => (m, i)).Where(e => IsBaclofen(e.m) && e.m.Status != MedicationStatus.Draft
                && (e.m.Status == MedicationStatus.Stopped || e.m.Change is MedicationChange.Stopped or MedicationChange.DoseDecreased)
                && (e.m.DaysSinceChange is null || e.m.DaysSinceChange <= 3)).ToList();
            if (events.Count == 0)
            {
                return null;
            }

            // Severe renal impairment as the contract can state it: eGFR, the dialysis flag, or an
            // ESRD / dialysis condition (ICD-10-CM N18.5, N18.6, Z99.2; SNOMED 46177005; the words).
            // ... and, without a measured eGFR, the CKD-EPI 2021 estimate from creatinine (adults) or a
            // recorded CKD stage 4 or 5 (issue 13's renal fallbacks).
            var estimated = x.Patient?.Egfr is null && x.Labs?.CreatinineMgPerDl is > 0 and var scr && x.Patient?.AgeYears is >= 18 and var age
                && Triage.ClinicalPicture.CkdEpi2021(scr, age, x.Patient?.Sex) < 30;
            var renal = x.Patient?.Egfr < 30 || x.Patient?.OnDialysis == true || (x.Conditions ?? []).Any(EndStageRenal) || estimated
                || (x.Patient?.Egfr is null && (x.Conditions ?? []).Any(c => (c.Code ?? "").Replace(".", "", StringComparison.Ordinal).ToUpperInvariant() is "N184" or "431857002" or "433146000"));
            var intolerant = (x.TreatmentHistory ?? []).Any(t => t.Treatment is { } name && NamesBaclofen(name)
                && t.Response is TreatmentResponse.AdverseReaction or TreatmentResponse.NotTolerated);
            if (renal || intolerant)
            {
                tally.Count("baclofen withdrawal event, excluded (renal or intolerance)");
                return null;
            }

            tally.Count("baclofen withdrawal event");
            return Has(a, C.ReinstateBaclofen)
                ? null
                : new Violation($"baclofen withdrawal event ({string.Join("; ", events.Select(e => $"medications[{e.i}] {Med(e.m)}"))}; " +
                    $"egfr={x.Patient?.Egfr?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}, onDialysis={x.Patient?.OnDialysis?.ToString() ?? "null"}) but no {C.ReinstateBaclofen}", a);
        }, ("baclofen toxicity in the answer", 50), ("baclofen withdrawal event", 50));

    // ------------------------------------------------------------------ 6

    /// <summary>
    /// A NEWS2 red-score value (systolic ≤ 90, SpO2 ≤ 91 %, heart rate &lt; 50) or reduced
    /// consciousness (decreased consciousness, coma) ⇒ emergency, continuous cardiac monitoring,
    /// and no baclofen titration schedule. Physiology sets the pace whatever the cause.
    /// NEWS2 is an adult score: a systolic of 90 is normal for an infant, so the systolic premise
    /// applies to adults (16 and over) and to an unknown age (scored as an adult); hypoxia, heart rate
    /// below 50 and reduced consciousness apply at every age. [NEWS2; evidence brief §5.1]
    /// </summary>
    [Fact]
    public void Abnormal_physiology_makes_an_emergency_with_monitoring_and_no_baclofen_titration() =>
        InvariantRun.Check(nameof(Abnormal_physiology_makes_an_emergency_with_monitoring_and_no_baclofen_titration), output, (c, tally) =>
        {
            var v = c.Context.Vitals;
            var e = c.Context.Exam;
            var triggers = new List<string>();
            if (v?.SystolicBp <= 90 && c.Context.Patient?.AgeYears is null or >= 16)
            {
                triggers.Add($"vitals.systolicBp={v.SystolicBp}");
            }

            if (v?.Spo2Percent <= 91)
            {
                triggers.Add($"vitals.spo2Percent={v.Spo2Percent}");
            }

            if (v?.HeartRateBpm < 50)
            {
                triggers.Add($"vitals.heartRateBpm={v.HeartRateBpm}");
            }

            if (e?.MentalStatus is MentalStatus.DecreasedConsciousness or MentalStatus.Coma)
            {
                triggers.Add($"exam.mentalStatus={e.MentalStatus}");
            }

            if (triggers.Count == 0)
            {
                return null;
            }

            tally.Count("abnormal physiology");
            var a = Engine.Assess(c.Context);
            var problems = new List<string>();
            if (a.Urgency != Urgency.Emergency)
            {
                problems.Add($"urgency {a.Urgency}, not Emergency");
            }

            if (!Has(a, C.ContinuousCardiacMonitoring))
            {
                problems.Add($"no {C.ContinuousCardiacMonitoring}");
            }

            if (Has(a, C.BaclofenTitrationSchedule))
            {
                problems.Add($"{C.BaclofenTitrationSchedule} recommended");
            }

            return problems.Count == 0 ? null : new Violation($"{string.Join(", ", triggers)} but {string.Join("; ", problems)}", a);
        }, ("abnormal physiology", 50));

    // ------------------------------------------------------------------ 7

    /// <summary>
    /// Unknown is never "no": turning one stated finding into null (unknown) never lowers the
    /// urgency unless the new answer names that field (or a parent of it) in missingData.
    /// [api-v1.md: "The engine must never treat 'not known' as 'no'"]
    /// </summary>
    [Fact]
    public void Making_a_finding_unknown_never_lowers_the_urgency_silently() =>
        InvariantRun.Check(nameof(Making_a_finding_unknown_never_lowers_the_urgency_silently), output, (c, tally) =>
        {
            var findings = StatedFindings.Of(c.Context);
            if (findings.Count == 0)
            {
                return null;
            }

            var finding = findings[c.Pick % findings.Count];
            var before = Engine.Assess(c.Context);
            var after = Engine.Assess(finding.Unknown());
            tally.Count("a stated finding made unknown");
            if (before.Urgency > Urgency.Routine)
            {
                tally.Count("urgency above routine before");
            }

            if (after.Urgency >= before.Urgency || after.MissingData.Any(m => StatedFindings.Covers(m.Field, finding.Path)))
            {
                return null;
            }

            return new Violation(
                $"{finding.Path} set to null (was {Stated(c.Context, finding.Path)}): urgency {before.Urgency} → {after.Urgency} and missingData does not name it " +
                $"[{string.Join(", ", after.MissingData.Select(m => m.Field))}]; the answer shown is after, the one before was: {InvariantRun.Describe(before)}",
                after);
        }, ("urgency above routine before", 50));

    // ------------------------------------------------------------------ 8

    /// <summary>
    /// The same input gives the same bytes (apart from the assessment id), and every citation on
    /// every item and caution is a source the knowledge base serves; every recommendation cites at
    /// least one.
    /// </summary>
    [Fact]
    public void Same_input_gives_the_same_answer_and_every_citation_resolves() =>
        InvariantRun.Check(nameof(Same_input_gives_the_same_answer_and_every_citation_resolves), output, (c, tally) =>
        {
            var first = Engine.Assess(c.Context);
            // The same input as it arrives over the wire: written and read back with the contract's rules.
            var again = JsonSerializer.Deserialize<PatientContext>(JsonSerializer.Serialize(c.Context, ClonusJson.Options), ClonusJson.Options)!;
            var second = Engine.Assess(again);
            var bytes1 = JsonSerializer.Serialize(first with { AssessmentId = Guid.Empty }, ClonusJson.Options);
            var bytes2 = JsonSerializer.Serialize(second with { AssessmentId = Guid.Empty }, ClonusJson.Options);
            tally.Count("answers compared");
            if (bytes1 != bytes2)
            {
                var at = 0;
                while (at < Math.Min(bytes1.Length, bytes2.Length) && bytes1[at] == bytes2[at])
                {
                    at++;
                }

                var from = Math.Max(0, at - 80);
                return new Violation($"two answers to the same input differ at character {at}: …{bytes1[from..Math.Min(bytes1.Length, at + 80)]}… vs …{bytes2[from..Math.Min(bytes2.Length, at + 80)]}…", first);
            }

            var problems = new List<string>();
            var sources = Engine.Kb.SourcesById;
            foreach (var item in Recommendations(first).Concat(first.Pitfalls))
            {
                problems.AddRange(item.Citations.Where(id => !sources.ContainsKey(id)).Select(id => $"{item.Code} cites unknown source {id}"));
                foreach (var caution in item.Cautions)
                {
                    problems.AddRange(caution.Citations.Where(id => !sources.ContainsKey(id)).Select(id => $"caution {caution.Id} on {item.Code} cites unknown source {id}"));
                }
            }

            foreach (var item in Recommendations(first))
            {
                tally.Count("recommendations checked");
                if (item.Citations.Count == 0)
                {
                    problems.Add($"recommendation {item.Code} has no citation");
                }
            }

            return Fail(problems, first);
        }, ("answers compared", 50), ("recommendations checked", 50));

    // ------------------------------------------------------------------ helpers

    private static IEnumerable<RecommendationItem> Recommendations(Assessment a) =>
        a.Recommendations.FirstLine.Concat(a.Recommendations.Adjunct).Concat(a.Recommendations.Refractory)
            .Concat(a.Recommendations.Monitoring).Concat(a.Recommendations.Workup);

    private static bool Has(Assessment a, string code) => a.Item(code) is not null;

    private static Violation? Fail(List<string> problems, Assessment a) =>
        problems.Count == 0 ? null : new Violation(string.Join("; ", problems), a);

    /// <summary>
    /// The medication is placed as a drug with the role: by the knowledge base's vocabulary, or
    /// (looser, so "on the list" is never read narrowly) by any of the drug's names appearing in the
    /// text in any case.
    /// </summary>
    private static bool HasRole(MedicationEntry m, string role)
    {
        var matches = new List<DrugMatch>();
        Engine.Kb.DrugVocabulary.Match(m.Rxcui, m.Name, matches);
        return matches.Any(d => d.Drug.Roles.Contains(role))
            || (m.Name is { } name && Engine.Kb.Drugs.Where(d => d.Roles.Contains(role))
                .SelectMany(d => d.Synonyms.Prepend(d.Name).Concat(d.BrandNames))
                .Any(term => name.Contains(term, StringComparison.OrdinalIgnoreCase)));
    }

    private static bool IsBaclofen(MedicationEntry m) => m.Rxcui == "1292" || (m.Name is { } name && NamesBaclofen(name));

    private static bool NamesBaclofen(string text) =>
        text.Contains("baclofen", StringComparison.OrdinalIgnoreCase) || BaclofenBrands.Any(b => text.Contains(b, StringComparison.OrdinalIgnoreCase));

    private static string Med(MedicationEntry m) =>
        $"{m.Name}{(m.Rxcui is null ? "" : $" (rxcui {m.Rxcui})")} status={m.Status?.ToString() ?? "null"} change={m.Change?.ToString() ?? "null"} " +
        $"days={m.DaysSinceChange?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}";

    private static string Meds(IReadOnlyList<MedicationEntry> meds) => meds.Count == 0 ? "none" : string.Join("; ", meds.Select(Med));

    /// <summary>The stated value at a path, as JSON (for the failure message).</summary>
    private static string Stated(PatientContext c, string path)
    {
        var node = JsonSerializer.SerializeToNode(c, ClonusJson.Options);
        foreach (Match part in Regex.Matches(path, @"[A-Za-z0-9]+|\[\d+\]"))
        {
            node = part.Value.StartsWith('[') ? node?[int.Parse(part.Value[1..^1], System.Globalization.CultureInfo.InvariantCulture)] : node?[part.Value];
        }

        return node?.ToJsonString(ClonusJson.Options) ?? "null";
    }
    private static bool EndStageRenal(ConditionEntry c)
    {
        var code = (c.Code ?? "").Replace(".", "", StringComparison.Ordinal).ToUpperInvariant();
        var display = c.Display ?? "";
        return code is "N185" or "N186" or "46177005" || code.StartsWith("Z992", StringComparison.Ordinal)
            || display.Contains("dialysis", StringComparison.OrdinalIgnoreCase) || display.Contains("end-stage renal", StringComparison.OrdinalIgnoreCase)
            || display.Contains("end stage renal", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// Invariant 4's text check: does advice name an antipyretic, haloperidol, droperidol or
/// succinylcholine other than to stop or avoid it? A mention counts as negative only when a
/// negative word (stop, avoid, do not, never, withhold, discontinue…) comes before it in the same
/// sentence with no positive verb (give, use, administer, start…) in between, and the code is one
/// a person has read and listed in <see cref="ReviewedNegativeMentions"/>. Anything else is reported.
/// </summary>
internal static partial class AdviceText
{
    /// <summary>
    /// Recommendation codes whose text names one of the drugs only in order to stop it, each read by
    /// hand. A new code that names one must be read and added here (or its wording fixed).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ReviewedNegativeMentions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // "…stop volatile anaesthetics and succinylcholine immediately, give dantrolene…": succinylcholine
        // is the malignant-hyperthermia trigger being stopped, never given.
        [ContractCodes.StopTriggerAndGiveDantrolene] = "stops succinylcholine (the MH trigger)",
    };

    /// <summary>The words: the four named in the invariant, and every name of the knowledge base's antipyretics, haloperidol, droperidol and succinylcholine.</summary>
    private static readonly string[] Words = new[] { "antipyretic", "haloperidol", "droperidol", "succinylcholine", "suxamethonium", "paracetamol" }
        .Concat(Engine.Kb.Drugs.Where(d => d.Roles.Contains("antipyretic") || d.Name is "haloperidol" or "droperidol" or "succinylcholine")
            .SelectMany(d => d.Synonyms.Prepend(d.Name).Concat(d.BrandNames)))
        .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    private static readonly Regex Word = new(@"\b(" + string.Join("|", Words.Select(Regex.Escape)) + ")", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    [GeneratedRegex(@"\b(stop|stopping|avoid|avoiding|do not|don't|never|not|no|withhold|withdraw|discontinue|without|instead of|rather than|contraindicated|ineffective)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NegativeWord();

    [GeneratedRegex(@"\b(give|giving|use|using|administer|start|consider|prefer|recommend|offer|prescribe|add|treat|trial|titrate|restore|reinstate|continue|then)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PositiveWord();

    [GeneratedRegex(@"(?<=[.;!?])\s+")]
    private static partial Regex SentenceBreak();

    /// <summary>Every mention of one of the drugs, with the sentence it is in.</summary>
    public static IReadOnlyList<(string Word, string Sentence, bool Negative)> Mentions(params string?[] texts)
    {
        var found = new List<(string, string, bool)>();
        foreach (var text in texts)
        {
            foreach (var sentence in SentenceBreak().Split(text ?? ""))
            {
                foreach (Match m in Word.Matches(sentence))
                {
                    var before = sentence[..m.Index];
                    var negative = NegativeWord().Matches(before).LastOrDefault() is { } cue
                        && !PositiveWord().IsMatch(before[(cue.Index + cue.Length)..]);
                    found.Add((m.Value, sentence.Trim(), negative));
                }
            }
        }

        return found;
    }

    /// <summary>The mentions that are not a reviewed, clearly negative use, as "word in «sentence»".</summary>
    public static IReadOnlyList<string> PositiveMentions(string code, params string?[] texts) =>
        Mentions(texts)
            .Where(m => !(m.Negative && ReviewedNegativeMentions.ContainsKey(code)))
            .Select(m => $"{m.Word} in «{m.Sentence}»{(m.Negative ? " (negative, but the code is not in the reviewed list)" : "")}")
            .ToList();
}

/// <summary>
/// The codes the invariants name, spelled as shared/contract/codes.md fixes them (not taken from
/// the engine's own constants, so that a renamed constant cannot silently change a test).
/// </summary>
internal static class ContractCodes
{
    public const string AvoidBromocriptineDantroleneInSt = "avoid_bromocriptine_dantrolene_in_st";
    public const string AvoidPhysicalRestraints = "avoid_physical_restraints";
    public const string AvoidSedativesInHepaticEncephalopathy = "avoid_sedatives_in_hepatic_encephalopathy";
    public const string AvoidSuccinylcholine = "avoid_succinylcholine";
    public const string BaclofenFirstLine = "baclofen_first_line";
    public const string BaclofenTitrationSchedule = "baclofen_titration_schedule";
    public const string BaclofenTrialWithStrokeCaution = "baclofen_trial_with_stroke_caution";
    public const string Benzodiazepine = "benzodiazepine";
    public const string BotulinumToxinFocal = "botulinum_toxin_focal";
    public const string ConsiderIntubationNondepolarizingParalysis = "consider_intubation_nondepolarizing_paralysis";
    public const string ContinuousCardiacMonitoring = "continuous_cardiac_monitoring";
    public const string Cyproheptadine = "cyproheptadine";
    public const string CyproheptadineAnticholinergic = "cyproheptadine_anticholinergic";
    public const string DoNotLabelAsSerotoninSyndrome = "do_not_label_as_serotonin_syndrome";
    public const string NmsSpecificTherapySpecialist = "nms_specific_therapy_specialist";
    public const string PhenolNeurolysis = "phenol_neurolysis";
    public const string ReinstateBaclofen = "reinstate_baclofen";
    public const string StopTriggerAndGiveDantrolene = "stop_trigger_and_give_dantrolene";
    public const string SwitchTizanidineToBaclofen = "switch_tizanidine_to_baclofen";
    public const string TreatCauseNotClonusInMetabolic = "treat_cause_not_clonus_in_metabolic";

}
