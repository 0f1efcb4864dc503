using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;

namespace ClonusCds.Core.Triage.Rules;

// Etiology rules (TriageEngine.EtiologyRules). Every rule runs and may propose a call. The toxic
// look-alikes among the calls are weighed against each other with the discriminator table
// (reasoning.json; see DifferentialWeigher): the best-supported one that has its trigger is
// primary, and the others stay in the differential, marked not excluded while their trigger and
// hallmark are present. The order below only breaks ties, and orders the non-toxic causes: acute
// toxicity still comes before any old lesion.

/// <summary>
/// TOX-MH. When a volatile anaesthetic or succinylcholine was given (trigger on board or stopped
/// within its washout) and there is generalised rigidity (or increased tone in theatre/recovery)
/// with temperature above 38 °C or rising. Then malignant hyperthermia: emergency. Theatre or
/// recovery without a recorded trigger is not a trigger: with an incomplete medication list the
/// call is only possible (never primary); with a complete list that names no trigger, none.
/// [BOYER2005; ACCESSMED; RCEM; brief §2 rule 4]
/// </summary>
internal sealed class MalignantHyperthermiaRule : IEtiologyRule
{
    public string Id => "TOX-MH";
    public string Description => "Anaesthetic trigger + generalised rigidity + hyperthermia → malignant hyperthermia";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var given = p.OnBoard(DrugRoles.MhTrigger);
        var perioperative = p.Context.Setting is CareSetting.OperatingRoom or CareSetting.Pacu;
        // The anaesthetic record is often not on the medication list: in theatre or recovery an
        // incomplete list leaves the trigger unknown, never "no".
        var trigger = given ? Tri.Yes : perioperative && !p.MedicationsFullyKnown ? Tri.Unknown : Tri.No;
        var rigidity = p.Context.Exam?.Rigidity;
        var rigid = rigidity == RigidityPattern.GeneralizedRigor
            || (perioperative && p.Context.Exam?.Tone == ToneGrade.Increased);
        // Raised tone with the pattern not recorded: the rigor is unknown, never "no".
        var rigidUnknown = !rigid && rigidity is null && p.Hypertonia.IsPossible;
        var hot = p.FeverOrRising;
        var fires = trigger.IsPossible && (rigid || rigidUnknown) && hot.IsYes;
        var definite = fires && trigger.IsYes && rigid;
        s.Out.Trace.Add(Id, !fires ? Tri.No : definite ? Tri.Yes : Tri.Unknown, Description,
            [TraceInput.Of("mhTriggerGiven", trigger), TraceInput.Of("perioperativeSetting", perioperative), TraceInput.Of("generalisedRigidity", rigid ? Tri.Yes : rigidUnknown ? Tri.Unknown : Tri.No), TraceInput.Of("temperature>38OrRising", hot)]);
        if (!fires)
        {
            return null;
        }

        if (definite)
        {
            return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.MalignantHyperthermia, Urgency.Emergency,
                "Generalised rigidity with rising temperature after a volatile anaesthetic or succinylcholine points to malignant hyperthermia.", Id);
        }

        if (trigger.IsUnknown)
        {
            s.Out.MissingData("medications", "Confirm from the anaesthetic record whether a volatile anaesthetic or succinylcholine was given: malignant hyperthermia stays open until then.");
        }

        if (rigidUnknown)
        {
            s.Out.MissingData("exam.rigidity", "Generalised, rigor-like rigidity decides malignant hyperthermia (and lead-pipe rigidity NMS).");
            if (p.Context.Exam?.Tone is null)
            {
                s.Out.MissingData("exam.tone", "Raised tone with fever after a volatile anaesthetic or succinylcholine (or in theatre) is malignant hyperthermia until shown otherwise.");
            }
        }

        return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.MalignantHyperthermia, Urgency.Emergency,
            trigger.IsUnknown
                ? "Rigidity with fever in theatre or recovery: malignant hyperthermia is not excluded until the anaesthetic record confirms no volatile agent or succinylcholine was given."
                : "Raised tone with fever after a volatile anaesthetic or succinylcholine: malignant hyperthermia is not excluded until the pattern of rigidity is examined.", Id, Possible: true);
    }
}

/// <summary>
/// TOX-NMS. When a dopamine antagonist is on board and there is lead-pipe (or generalised)
/// rigidity. Then neuroleptic malignant syndrome: emergency. Clonus, hyperreflexia and met Hunter
/// criteria no longer veto it: they weigh against it in the differential, so an overlap with
/// serotonin toxicity stays visible. With the antagonist, fever and the rigidity pattern not
/// recorded (tone not known normal), NMS is possible. Sternbach's criterion C (no neuroleptic
/// recently started) is the classic guard against calling NMS serotonin syndrome.
/// [BOYER2005; AAP-T7; MSD; STERNBACH1991; EMCRIT]
/// </summary>
internal sealed class NeurolepticMalignantSyndromeRule : IEtiologyRule
{
    public string Id => "TOX-NMS";
    public string Description => "Dopamine antagonist + lead-pipe rigidity → NMS (weighed against serotonin toxicity)";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var antagonist = p.OnBoard(DrugRoles.DopamineAntagonist);
        var rigidity = p.Context.Exam?.Rigidity;
        var leadPipe = rigidity is RigidityPattern.LeadPipe or RigidityPattern.GeneralizedRigor;
        var possible = antagonist && rigidity is null && p.Hypertonia.IsPossible && p.FeverOrRising.IsYes;
        s.Out.Trace.Add(Id, antagonist && leadPipe ? Tri.Yes : possible ? Tri.Unknown : Tri.No, Description,
            [TraceInput.Of("dopamineAntagonistOnBoard", antagonist), TraceInput.Of("leadPipeRigidity", leadPipe), TraceInput.Of("rigidityPatternRecorded", rigidity is not null), TraceInput.Of("hyperreflexia", p.Hyperreflexia), TraceInput.Of("hunterMet", s.HunterMet)]);
        if (antagonist && leadPipe)
        {
            return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.NeurolepticMalignantSyndrome, Urgency.Emergency,
                "Lead-pipe rigidity in a patient on a dopamine antagonist is the pattern of neuroleptic malignant syndrome (rigidity = NMS, clonus = serotonin).", Id);
        }

        // On a dopamine antagonist with the pattern of tone not recorded (tone not known normal), the
        // rigidity decides NMS: name it (and an unknown temperature) even before a call is possible.
        if (antagonist && rigidity is null && p.Hypertonia.IsPossible)
        {
            s.Out.MissingData("exam.rigidity", "Lead-pipe rigidity decides neuroleptic malignant syndrome in a patient on a dopamine antagonist.");
            if (p.FeverOrRising.IsUnknown)
            {
                s.Out.MissingData("vitals.temperatureC", "Fever with rigidity on a dopamine antagonist is neuroleptic malignant syndrome.");
            }
        }

        return possible
            ? new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.NeurolepticMalignantSyndrome, Urgency.Emergency,
                "Fever on a dopamine antagonist with the pattern of tone not recorded: neuroleptic malignant syndrome is not excluded until lead-pipe rigidity is looked for.", Id, Possible: true)
            : null;
    }
}

/// <summary>
/// TOX-PHS. When levodopa, a dopamine agonist or amantadine was stopped, reduced or missed in the
/// last 7 days (or on an unknown day) and there is rigidity or increased tone with fever or altered
/// consciousness. Then the parkinsonism-hyperpyrexia syndrome, an NMS-like emergency: reinstate the
/// drug. With the withdrawal and only one of those features, it is possible (never primary).
/// [NEWMAN2009; AAP-T7; brief §5.3]
/// </summary>
internal sealed class ParkinsonismHyperpyrexiaRule : IEtiologyRule
{
    public string Id => "TOX-PHS";
    public string Description => "Dopaminergic drug stopped/reduced + rigidity + fever or altered consciousness → parkinsonism-hyperpyrexia syndrome";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var withdrawal = p.WithdrawalEvent(DrugRoles.Dopaminergic, ClinicalPicture.DopaminergicWithdrawalWindowDays);
        var rigid = p.Hypertonia;
        var mental = p.AlteredConsciousness;
        var systemic = p.FeverOrRising.IsYes || mental;
        var fires = withdrawal is not null && rigid.IsYes && systemic;
        var changeUnknown = false;
        if (withdrawal is null && (rigid.IsYes || systemic))
        {
            WithdrawalSigns.NameUnknownChange(s, DrugRoles.Dopaminergic, "Whether this dopaminergic drug was recently stopped, reduced or missed decides the parkinsonism-hyperpyrexia syndrome.");
            foreach (var m in p.Medications)
            {
                changeUnknown |= m.Is(DrugRoles.Dopaminergic) && m.OnBoard && m.Event == ExposureEvent.Unknown;
            }
        }

        if (withdrawal is null && changeUnknown && rigid.IsYes && systemic)
        {
            // The full picture on a dopaminergic drug whose doses are not recorded (missed doses when
            // nil by mouth are the classic cause): possible, never primary.
            s.Out.Trace.Add(Id, Tri.Unknown, Description, [TraceInput.Of("dopaminergicWithdrawalEvent", "not_recorded"), TraceInput.Of("rigidityOrIncreasedTone", rigid), TraceInput.Of("feverOrAlteredConsciousness", systemic)]);
            return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.ParkinsonismHyperpyrexiaSyndrome, Urgency.Emergency,
                "Rigidity with fever or altered consciousness on a dopaminergic drug whose recent doses are not recorded: the parkinsonism-hyperpyrexia syndrome is not excluded until missed or reduced doses are.", Id, Possible: true);
        }
        var possible = withdrawal is not null && !fires && (rigid.IsYes || systemic);
        s.Out.Trace.Add(Id, fires ? Tri.Yes : possible ? Tri.Unknown : Tri.No, Description,
            [TraceInput.Of("dopaminergicWithdrawalEvent", withdrawal is not null), TraceInput.Of("rigidityOrIncreasedTone", rigid), TraceInput.Of("feverOrAlteredConsciousness", systemic)]);
        if (withdrawal is not null && !fires)
        {
            WithdrawalSigns.Name(s, "the parkinsonism-hyperpyrexia syndrome after a dopaminergic drug was stopped or reduced", tone: rigid.IsUnknown);
        }

        if (withdrawal is null || (!fires && !possible))
        {
            return null;
        }

        return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.ParkinsonismHyperpyrexiaSyndrome, Urgency.Emergency,
            fires
                ? "Rigidity with fever or altered consciousness after a dopaminergic drug was stopped or reduced is the parkinsonism-hyperpyrexia syndrome, an NMS-like emergency."
                : "A dopaminergic drug was stopped or reduced and the picture has begun (rigidity, fever or altered consciousness): the parkinsonism-hyperpyrexia syndrome is not excluded.",
            Id, Possible: !fires);
    }
}

/// <summary>
/// TOX-ACH. When at least two of hot dry flushed skin, dry mucosa and decreased/absent bowel
/// sounds, without diaphoresis or hyperreflexia, with an anticholinergic drug on board or the full
/// triad with dilated pupils. Then anticholinergic toxicity: emergency. Met Hunter criteria weigh
/// against it in the differential instead of vetoing it. Two or more of those signs with an
/// anticholinergic drug on board but beside sweating or hyperreflexia (a mixed toxidrome, e.g. a
/// tricyclic): possible, kept open. [BOYER2005; AAP-T7; RCEM]
/// </summary>
internal sealed class AnticholinergicToxicityRule : IEtiologyRule
{
    private static readonly string[] AchFeatureCount = ["anticholinergicFeatures=0/3", "anticholinergicFeatures=1/3", "anticholinergicFeatures=2/3", "anticholinergicFeatures=3/3"];

    public string Id => "TOX-ACH";
    public string Description => "Hot dry skin, dry mucosa, reduced bowel sounds, normal reflexes → anticholinergic toxicity";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var e = p.Context.Exam;
        var skin = Tri.When(e?.Skin, x => x == SkinFinding.HotDryFlushed);
        var mucosa = Tri.When(e?.Mucosa, x => x == MucosaFinding.Dry);
        var bowel = Tri.When(e?.BowelSounds, x => x is Model.BowelSounds.Decreased or Model.BowelSounds.Absent);
        var features = (skin.IsYes ? 1 : 0) + (mucosa.IsYes ? 1 : 0) + (bowel.IsYes ? 1 : 0);
        var unknown = (skin.IsUnknown ? 1 : 0) + (mucosa.IsUnknown ? 1 : 0) + (bowel.IsUnknown ? 1 : 0);
        var drug = p.OnBoard(DrugRoles.Anticholinergic);
        var mydriasis = Tri.When(e?.Pupils, x => x == PupilFinding.Dilated);
        var quiet = !p.Diaphoresis.IsYes && !p.Hyperreflexia.IsYes;
        var fires = quiet && features >= 2 && (drug || (features == 3 && mydriasis.IsYes));
        // Unknown is not "no": without a listed drug, two features whose third (or the pupils) is
        // not recorded keep the toxidrome possible; short of that, any feature names the findings
        // that would complete it, without making a call.
        var possible = !fires && quiet && !drug && features >= 2 && features + unknown == 3 && mydriasis.IsPossible;
        var nameOnly = !fires && !possible && quiet && features >= 1 && unknown > 0;
        // A mixed toxidrome: an anticholinergic drug on board (a tricyclic, for one, is serotonergic
        // too) with two or more of its signs beside sweating or hyperreflexia. Not the pure toxidrome,
        // but not excluded either: it stays open, so the ECG (QRS, QTc) and the cyproheptadine caution
        // follow (brief §2 rule 3; BOYER2005).
        var mixed = !fires && !quiet && drug && features >= 2;
        s.Out.Trace.Add(Id, fires ? Tri.Yes : possible || mixed ? Tri.Unknown : Tri.No, Description,
            [AchFeatureCount[features], TraceInput.Of("anticholinergicDrugOnBoard", drug), TraceInput.Of("mydriasis", mydriasis), TraceInput.Of("diaphoresis", p.Diaphoresis), TraceInput.Of("hyperreflexia", p.Hyperreflexia)]);
        if (possible || nameOnly)
        {
            const string why = "completes or rules out the anticholinergic toxidrome (hot dry skin, dry mucosa, reduced bowel sounds, dilated pupils).";
            if (skin.IsUnknown)
            {
                s.Out.MissingData("exam.skin", "Hot, dry, flushed skin " + why);
            }

            if (mucosa.IsUnknown)
            {
                s.Out.MissingData("exam.mucosa", "Dry mucosa " + why);
            }

            if (bowel.IsUnknown)
            {
                s.Out.MissingData("exam.bowelSounds", "Reduced bowel sounds " + why);
            }

            if (mydriasis.IsUnknown && !drug)
            {
                s.Out.MissingData("exam.pupils", "Dilated pupils " + why);
            }
        }

        if (mixed)
        {
            return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.AnticholinergicToxicity, Urgency.Emergency,
                "Anticholinergic signs (hot dry skin, dry mucosa or reduced bowel sounds) with an anticholinergic drug on board, beside sweating or hyperreflexia: a mixed toxidrome, so anticholinergic toxicity is not excluded.", Id, Possible: true);
        }

        if (possible)
        {
            return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.AnticholinergicToxicity, Urgency.Emergency,
                "Part of the anticholinergic toxidrome is present and the rest is not recorded: anticholinergic toxicity is not excluded until the skin, mucosa, bowel sounds and pupils are examined.", Id, Possible: true);
        }

        return fires
            ? new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.AnticholinergicToxicity, Urgency.Emergency,
                "Hot, dry, flushed skin with dry mucosa and reduced bowel sounds, without sweating or hyperreflexia, is the anticholinergic toxidrome.", Id)
            : null;
    }
}

/// <summary>
/// TOX-BACLOFEN. When baclofen is on board with eGFR &lt; 30 or dialysis and there is
/// encephalopathy (confusion, delirium, decreased consciousness, coma), hypotonia or bradycardia.
/// Then baclofen toxicity: emergency. [BACLOFEN-CKD; BACLOFEN-LABEL]
/// </summary>
internal sealed class BaclofenToxicityRule : IEtiologyRule
{
    public string Id => "TOX-BACLOFEN";
    public string Description => "Baclofen + severe renal impairment + encephalopathy/hypotonia/bradycardia → baclofen toxicity";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var baclofen = p.OnBoard(DrugRoles.Baclofen);
        var renal = p.SevereRenalImpairment;
        var e = p.Context.Exam;
        var neuro = p.AlteredConsciousness || e?.Tone == ToneGrade.Decreased || p.Context.Vitals?.HeartRateBpm < 60;
        var fires = baclofen && renal.IsYes && neuro;
        if (baclofen && renal.IsYes && !neuro)
        {
            // Unknown is not "no": name what would show accumulation.
            if (e?.MentalStatus is null)
            {
                s.Out.MissingData("exam.mentalStatus", "Encephalopathy with baclofen at eGFR below 30 or on dialysis points to baclofen toxicity.");
            }

            if (e?.Tone is null)
            {
                s.Out.MissingData("exam.tone", "Hypotonia with baclofen at eGFR below 30 or on dialysis points to baclofen toxicity.");
            }

            if (p.Context.Vitals?.HeartRateBpm is null)
            {
                s.Out.MissingData("vitals.heartRateBpm", "Bradycardia with baclofen at eGFR below 30 or on dialysis points to baclofen toxicity.");
            }
        }

        s.Out.Trace.Add(Id, Tri.Of(fires), Description,
            [TraceInput.Of("baclofenOnBoard", baclofen), TraceInput.Of("eGFR<30OrDialysis", renal), TraceInput.Of("encephalopathyHypotoniaOrBradycardia", neuro)]);
        return fires
            ? new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.BaclofenToxicity, Urgency.Emergency,
                "Baclofen is excreted unchanged by the kidneys; with eGFR below 30 or dialysis it accumulates and causes encephalopathy, hypotonia and bradycardia.", Id)
            : null;
    }
}

/// <summary>
/// TOX-BACLOFEN-WD. When baclofen was stopped, reduced or interrupted (an intrathecal pump or
/// catheter failure, an empty reservoir, a programming error: route intrathecal with a stop or
/// decrease) in the last 3 days or on an unknown day, and there is fever (> 38 °C or rising),
/// altered mental status, hypotension or rebound spasticity (raised tone or hyperreflexia). Then
/// baclofen withdrawal: emergency with fever, altered mental status, hypotension or an intrathecal
/// interruption; urgent with rebound spasticity alone. An intrathecal pump in place with no
/// interruption recorded in that window, with fever, altered mental status or hypotension, or a
/// clonus that is new or worse: possible withdrawal (a pump fails without a recorded change), kept open.
/// [BACLOFEN-LABEL: abrupt withdrawal, Lyvispah, intrathecal boxed warning; COFFEY2002; brief §5.2]
/// </summary>
internal sealed class BaclofenWithdrawalRule : IEtiologyRule
{
    public string Id => "TOX-BACLOFEN-WD";
    public string Description => "Baclofen stopped, reduced or interrupted + fever/altered mental status/hypotension/rebound spasticity → baclofen withdrawal (an intrathecal pump with systemic signs or a worse clonus: possible)";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var withdrawal = p.WithdrawalEvent(DrugRoles.Baclofen, ClinicalPicture.BaclofenWithdrawalWindowDays);
        var intrathecal = p.WithdrawalEvent(DrugRoles.Baclofen, ClinicalPicture.BaclofenWithdrawalWindowDays, interruptedOnly: true) is not null;
        var e = p.Context.Exam;
        var fever = p.FeverOrRising.IsYes;
        var mental = e?.MentalStatus == MentalStatus.Agitated || p.AlteredConsciousness;
        var hypotension = p.Context.Vitals?.SystolicBp <= 90;
        var rebound = p.Hypertonia.IsYes || p.Hyperreflexia.IsYes;
        var fires = withdrawal is not null && (fever || mental || hypotension || rebound);
        if (withdrawal is null && (fever || mental || hypotension || rebound))
        {
            WithdrawalSigns.NameUnknownChange(s, DrugRoles.Baclofen, "Whether baclofen was recently stopped, reduced or interrupted decides baclofen withdrawal, which these signs could be.");
        }

        // An intrathecal pump fails without any recorded change: catheter, reservoir, battery,
        // programming (COFFEY2002; brief §5.2). With fever, altered mental status or hypotension, or a
        // clonus that is new or worse, withdrawal is possible: kept open, never read as excluded.
        var systemic = fever || mental || hypotension;
        var worsening = p.Context.Clonus?.Onset is ClonusOnset.Acute or ClonusOnset.Subacute or ClonusOnset.AcuteOnChronic;
        // No interruption in the window was found, so any pump in place counts, whatever its last change.
        var pump = withdrawal is null && (systemic || worsening) ? p.IntrathecalBaclofenPump() : null;
        if (withdrawal is null && pump is null && (systemic || worsening))
        {
            foreach (var m in p.Medications)
            {
                if (m.Is(DrugRoles.Baclofen) && m.Exposure == Exposure.Current && m.Entry.Route is null)
                {
                    s.Out.MissingData($"medications[{m.Index}].route", "An intrathecal baclofen pump can fail with no change recorded, which these signs could be: say whether the baclofen is oral or intrathecal.");
                }
            }
        }
        s.Out.Trace.Add(Id, pump is not null ? Tri.Unknown : Tri.Of(fires), Description,
            [TraceInput.Of("baclofenWithdrawalEvent", withdrawal is null ? "none" : DiscriminatorTable.Wire(withdrawal.Event)), TraceInput.Of("fever", fever), TraceInput.Of("alteredMentalStatus", mental), TraceInput.Of("hypotension", hypotension), TraceInput.Of("reboundSpasticity", rebound),
                TraceInput.Of("intrathecalPumpWithoutRecordedChange", pump is not null)]);
        if (pump is not null)
        {
            return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.BaclofenWithdrawal, systemic ? Urgency.Emergency : Urgency.Urgent,
                "An intrathecal baclofen pump with " + (systemic ? "fever, altered mental status or hypotension" : "a clonus that is new or worse")
                + ": a failed pump or catheter, an empty reservoir or a programming error causes withdrawal with no change recorded, so withdrawal is not excluded until the pump has been checked.", Id, Possible: true);
        }
        if (withdrawal is not null && !fires)
        {
            WithdrawalSigns.Name(s, "baclofen withdrawal after baclofen was stopped, reduced or interrupted", tone: p.Hypertonia.IsUnknown, reflexes: p.Hyperreflexia.IsUnknown, bp: true);
        }

        if (!fires)
        {
            return null;
        }

        if (!intrathecal && withdrawal!.Entry.Route is null)
        {
            s.Out.MissingData($"medications[{withdrawal.Index}].route", "An interrupted intrathecal baclofen pump makes withdrawal an emergency: say whether the baclofen was oral or intrathecal.");
        }

        var severe = fever || mental || hypotension || intrathecal;
        return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.BaclofenWithdrawal, severe ? Urgency.Emergency : Urgency.Urgent,
            intrathecal
                ? "Intrathecal baclofen delivery was interrupted or reduced and withdrawal signs followed; it can progress within hours to days to high fever, rigidity, rhabdomyolysis and multi-organ failure."
                : "Fever, altered mental status or rebound spasticity within days of stopping or reducing baclofen fits baclofen withdrawal, which can progress to rhabdomyolysis and multi-organ failure.", Id);
    }
}

/// <summary>
/// TOX-LITHIUM. When lithium is on board and the serum lithium is above the usual therapeutic
/// range (> 1.2 mmol/L). Then lithium toxicity, even if the Hunter criteria fire (lithium itself
/// causes tremor, hyperreflexia, myoclonus and clonus): emergency with confusion, decreased
/// consciousness or level > 2.5 mmol/L, otherwise urgent. When lithium is the only serotonergic
/// agent, no level is known and there are serotonergic features: indeterminate (possible lithium
/// toxicity) until the level is known. [ACCESSMED; EXTRIP-LI; brief §2 rule 1]
/// </summary>
internal sealed class LithiumToxicityRule : IEtiologyRule
{
    public const double UpperTherapeuticMmolPerL = 1.2;
    public const double SevereMmolPerL = 2.5;

    public string Id => "TOX-LITHIUM";
    public string Description => "Lithium on board + serum lithium > 1.2 mmol/L → lithium toxicity";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var lithium = p.OnBoard(DrugRoles.Lithium);
        var level = p.Context.Labs?.LithiumMmolPerL;
        var fires = lithium && level > UpperTherapeuticMmolPerL;
        // Brief §2 rule 1: lithium itself fires Hunter rule 4. When lithium is the only serotonergic
        // agent and no level is known, the level decides before "serotonin toxicity" may be called.
        var onlyAgent = lithium && level is null && OnlySerotonergicAgentIsLithium(p)
            && (s.HunterMet.IsPossible || (s.Hunter?.MildFeatures.IsPossible ?? false));
        s.Out.Trace.Add(Id, Tri.Of(fires || onlyAgent), Description,
            [TraceInput.Of("lithiumOnBoard", lithium), TraceInput.Of("labs.lithiumMmolPerL", level), TraceInput.Of("lithiumOnlySerotonergicAgent", onlyAgent)]);
        var confused = p.AlteredConsciousness;
        if (onlyAgent)
        {
            return new EtiologyCall(Etiology.IndeterminateNeedsEvaluation, EtiologySubtype.LithiumToxicity, confused ? Urgency.Emergency : Urgency.Urgent,
                "Lithium is the only serotonergic agent and no serum level is given: lithium toxicity itself causes tremor, hyperreflexia and clonus, so the level must be checked before this is called serotonin toxicity.", Id);
        }

        if (!fires)
        {
            return null;
        }

        var severe = level > SevereMmolPerL || confused;
        return new EtiologyCall(Etiology.OtherDrugToxicity, EtiologySubtype.LithiumToxicity, severe ? Urgency.Emergency : Urgency.Urgent,
            "The serum lithium is above the therapeutic range; lithium toxicity itself causes tremor, hyperreflexia, myoclonus and clonus, so the level explains the picture before serotonin toxicity does.", Id);
    }

    internal static bool OnlySerotonergicAgentIsLithium(ClinicalPicture p)
    {
        foreach (var m in p.Medications)
        {
            if (m.OnBoard && m.Is(DrugRoles.Serotonergic) && !m.Is(DrugRoles.Lithium))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// ST-HUNTER. When a serotonergic agent is on board and any Hunter rule (1–5) is met (unless lithium
/// is the only agent and its level is not known: TOX-LITHIUM waits for the level). Then serotonin
/// toxicity: emergency. Met only through a chronic clonus and tone of a recorded UMN lesion on
/// unchanged serotonergic drugs (<see cref="LesionExplainsCriteria"/>): possible, not decided, still
/// emergency and kept open. [DUNKLEY2003; BMJBP; AAP-T7; brief §2 rule 1]
/// </summary>
internal sealed class SerotoninToxicityRule : IEtiologyRule
{
    public string Id => "ST-HUNTER";
    public string Description => "Serotonergic agent on board + Hunter criteria met → serotonin toxicity";

    public EtiologyCall? Evaluate(TriageState s)
    {
        // Lithium alone with no level: lithium itself fires rule 4, so TOX-LITHIUM waits for the level.
        var p = s.Picture;
        var lithiumPending = p.OnBoard(DrugRoles.Lithium) && p.Context.Labs?.LithiumMmolPerL is null
            && LithiumToxicityRule.OnlySerotonergicAgentIsLithium(p);
        // Lithium the only serotonergic agent (a contested one) with a level above range: the level
        // explains tremor, hyperreflexia and clonus (brief §2 rule 1; §3 tiers); TOX-LITHIUM decides
        // and LI-MGMT keeps serotonin toxicity in the differential for re-assessment.
        var lithiumExplains = LithiumToxicityRule.OnlySerotonergicAgentIsLithium(p)
            && p.Context.Labs?.LithiumMmolPerL > LithiumToxicityRule.UpperTherapeuticMmolPerL;
        if (s.HunterMet.IsYes && lithiumExplains)
        {
            s.Out.Trace.Add(Id, Tri.No, Description, [TraceInput.Of("hunterCriteriaMet", s.HunterMet), TraceInput.Of("lithiumOnlyAgentAboveRange", true)]);
            return null;
        }

        var fires = s.HunterMet.IsYes && !lithiumPending;
        if (s.HunterMet.IsYes && lithiumPending)
        {
            // Met criteria keep serotonin toxicity open (with its safety actions) while the level decides.
            s.Out.Trace.Add(Id, Tri.Unknown, Description, [TraceInput.Of("hunterCriteriaMet", s.HunterMet), TraceInput.Of("lithiumOnlyAgentLevelUnknown", true)]);
            return new EtiologyCall(Etiology.SerotoninToxicity, null, Urgency.Emergency,
                "The Hunter criteria are met with lithium the only serotonergic agent: the serum level decides between lithium toxicity and serotonin toxicity.", Id, Possible: true);
        }

        // Met only through findings a recorded UMN lesion already explains: the clonus is chronic (there
        // before), every serotonergic drug is unchanged and the list is complete, and no rule needed
        // ocular clonus. Serotonin toxicity follows a new drug, a dose increase or a second drug
        // (brief §2, AAP-T7; "some chronic-stable patients"), so here it stays open, not decided.
        var confounded = fires && LesionExplainsCriteria(p, s.Hunter!);
        s.Out.Trace.Add(Id, confounded ? Tri.Unknown : Tri.Of(fires), Description,
            [TraceInput.Of("hunterCriteriaMet", s.HunterMet), TraceInput.Of("rulesFired", string.Join(",", s.Hunter?.Fired ?? [])),
                TraceInput.Of("chronicUmnClonusOnUnchangedDrugs", confounded)]);
        if (confounded)
        {
            return new EtiologyCall(Etiology.SerotoninToxicity, null, Urgency.Emergency,
                $"Hunter rule(s) {string.Join(", ", s.Hunter!.Fired)} are met, but by a chronic clonus and tone that the recorded upper-motor-neuron lesion explains, on serotonergic drugs that have not changed: serotonin toxicity follows a new drug, a dose increase or a second drug, so it is neither confirmed nor excluded. Ask about a recent overdose, a new interacting drug or a missed change.", Id, Possible: true);
        }

        return fires
            ? new EtiologyCall(Etiology.SerotoninToxicity, null, Urgency.Emergency,
                $"A serotonergic agent is on board and Hunter rule(s) {string.Join(", ", s.Hunter!.Fired)} are met (Dunkley 2003: sensitivity 84%, specificity 97%).", Id)
            : null;
    }

    /// <summary>
    /// Whether the met Hunter rules rest on findings a recorded UMN lesion explains: a known UMN
    /// condition, a clonus recorded as chronic, every serotonergic drug known and unchanged (no start,
    /// increase or unknown change), a complete medication list, and no rule that needed ocular clonus
    /// (rule 3), which a spinal or cerebral lesion does not give. Unknown is never read as "explained".
    /// </summary>
    internal static bool LesionExplainsCriteria(ClinicalPicture p, HunterResult hunter) =>
        p.HasUmnCondition
        && p.Context.Clonus?.Onset == ClonusOnset.Chronic
        && p.RecentChange(DrugRoles.Serotonergic).IsNo
        && p.MedicationsFullyKnown
        && hunter.Fired.Length > 0
        && !hunter.Fired.Contains(3);
}

/// <summary>
/// ST-MASKED. When a serotonergic agent is on board, the Hunter criteria are not met, and the
/// patient is rigid with temperature above 38.5 °C or rising. Then do not clear: rising tone can
/// mask clonus and hyperreflexia in severe toxicity — indeterminate, emergency. [BOYER2005; brief §1.1]
/// </summary>
internal sealed class MaskedSerotoninToxicityRule : IEtiologyRule
{
    public string Id => "ST-MASKED";
    public string Description => "Serotonergic agent + rigidity + hyperthermia without Hunter features → possible masked toxicity";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var fires = s.Hunter is not null && !s.HunterMet.IsYes && p.Hypertonia.IsYes && p.Hyperthermia.IsYes;
        if (s.Hunter is not null && !s.HunterMet.IsYes && p.Hypertonia.IsUnknown && p.Hyperthermia.IsYes)
        {
            s.Out.MissingData("exam.tone", "Rigidity with hyperthermia on a serotonergic drug can mask clonus and hyperreflexia in severe serotonin toxicity.");
        }
        s.Out.Trace.Add(Id, Tri.Of(fires), Description, [TraceInput.Of("hunterCriteriaMet", s.HunterMet), TraceInput.Of("hypertonia", p.Hypertonia), TraceInput.Of("hyperthermia", p.Hyperthermia)]);
        return fires
            ? new EtiologyCall(Etiology.IndeterminateNeedsEvaluation, EtiologySubtype.PossibleMaskedSerotoninToxicity, Urgency.Emergency,
                "A rigid, hyperthermic patient on a serotonergic drug must not be cleared because clonus or hyperreflexia is absent: rising tone can mask them in severe serotonin toxicity.", Id)
            : null;
    }
}

/// <summary>
/// ST-MILD. When a serotonergic agent is on board, the Hunter criteria are not met, serotonergic
/// features are present (hyperreflexia, inducible clonus, tremor, diaphoresis) and a serotonergic
/// drug was started or increased in the last week, no chronic UMN lesion explains a chronic
/// clonus, and the patient is not rigid and hyperthermic (possibly masked severe toxicity, ST-MASKED).
/// Then mild serotonin toxicity: urgent. [BMJBP; ISBISTER2007; AAP-T7]
/// </summary>
internal sealed class MildSerotoninToxicityRule : IEtiologyRule
{
    public string Id => "ST-MILD";
    public string Description => "Serotonergic features below Hunter after a recent start/increase → mild serotonin toxicity";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        if (s.Hunter is null)
        {
            s.Out.Trace.Add(Id, Tri.No, Description, ["serotonergicAgentOnBoard=no"]);
            return null;
        }

        // A weak or contested agent (triptan, 5-HT3 antagonist…) started alone is not the precipitant.
        var recent = p.SerotonergicPrecipitant();
        var chronicLesion = p.HasUmnCondition && p.Context.Clonus?.Onset == ClonusOnset.Chronic;
        // Rigid and hyperthermic is not mild: that picture is possibly masked severe toxicity (ST-MASKED).
        var masked = p.Hypertonia.IsYes && p.Hyperthermia.IsYes;
        var fires = s.HunterMet.IsNo && s.Hunter.MildFeatures.IsYes && recent.IsYes && !chronicLesion && !masked;
        if (s.HunterMet.IsNo && s.Hunter.MildFeatures.IsUnknown && recent.IsYes && !chronicLesion)
        {
            // The mild features decide mild toxicity after a recent change: name the unrecorded ones.
            var e = p.Context.Exam;
            if (e?.Reflexes is null)
            {
                s.Out.MissingData("exam.reflexes", "Hyperreflexia after a recent serotonergic start or increase is mild serotonin toxicity.");
            }

            if (e?.Tremor is null)
            {
                s.Out.MissingData("exam.tremor", "Tremor after a recent serotonergic start or increase is mild serotonin toxicity.");
            }

            if (p.Diaphoresis.IsUnknown)
            {
                s.Out.MissingData("exam.diaphoresis", "Sweating after a recent serotonergic start or increase is mild serotonin toxicity.");
            }

            if (p.InducibleClonus.IsUnknown || p.SpontaneousClonus.IsUnknown)
            {
                s.Out.MissingData("clonus.types", "Inducible or spontaneous clonus after a recent serotonergic start or increase is serotonin toxicity.");
            }
        }
        s.Out.Trace.Add(Id, Tri.Of(fires), Description,
            [TraceInput.Of("hunterCriteriaMet", s.HunterMet), TraceInput.Of("serotonergicFeatures", s.Hunter.MildFeatures), TraceInput.Of("recentSerotonergicChange", recent), TraceInput.Of("chronicUmnClonus", chronicLesion)]);
        return fires
            ? new EtiologyCall(Etiology.SerotoninToxicity, null, Urgency.Urgent,
                "Serotonergic features that do not meet the Hunter criteria, after a recent start or dose increase, fit mild serotonin toxicity.", Id)
            : null;
    }
}

/// <summary>
/// ST-UNDETERMINED. When a serotonergic agent is on board and the Hunter criteria cannot be decided
/// because features are unknown, and the time course is compatible (not a chronic clonus with
/// unchanged drugs). Then indeterminate: complete the examination and re-apply Hunter; urgent
/// (emergency when hyperthermic). [DUNKLEY2003; brief §1.1]
/// </summary>
internal sealed class SerotoninToxicityUndeterminedRule : IEtiologyRule
{
    public string Id => "ST-UNDETERMINED";
    public string Description => "Serotonergic agent + Hunter undecidable from the data → indeterminate";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        if (s.Hunter is null || !s.HunterMet.IsUnknown)
        {
            s.Out.Trace.Add(Id, Tri.No, Description, [TraceInput.Of("hunterCriteriaMet", s.HunterMet)]);
            return null;
        }

        var chronicAndUnchanged = p.Context.Clonus?.Onset == ClonusOnset.Chronic && p.RecentChange(DrugRoles.Serotonergic).IsNo;
        s.Out.Trace.Add(Id, Tri.Of(!chronicAndUnchanged), Description,
            [TraceInput.Of("hunterCriteriaMet", s.HunterMet), TraceInput.Of("undeterminedRules", string.Join(",", s.Hunter.Undetermined)), TraceInput.Of("chronicClonusWithUnchangedDrugs", chronicAndUnchanged)]);
        if (chronicAndUnchanged)
        {
            return null;
        }

        return new EtiologyCall(Etiology.IndeterminateNeedsEvaluation, null,
            p.Hyperthermia.IsYes ? Urgency.Emergency : Urgency.Urgent,
            $"A serotonergic agent is on board but Hunter rule(s) {string.Join(", ", s.Hunter.Undetermined)} cannot be decided from the data given; serotonin toxicity is neither confirmed nor excluded.", Id);
    }
}

/// <summary>
/// MIMIC-STARTLE. When clonic attacks are startle-induced in a child (under 18) or a patient with
/// encephalopathy or brain injury, and EEG has not shown epileptiform events. Then seizure mimic:
/// urgent, video-EEG before any antiepileptic. [SEED-000; SEED-001; MARI2012]
/// </summary>
internal sealed class SeizureMimicRule : IEtiologyRule
{
    public string Id => "MIMIC-STARTLE";
    public string Description => "Startle-induced clonic attacks in an encephalopathic child → seizure mimic";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var startle = p.StartleInduced.IsYes;
        var encephalopathy = p.Has(Model.ConditionCategory.Encephalopathy) || p.Has(Model.ConditionCategory.HypoxicBrainInjury)
            || p.Has(Model.ConditionCategory.CerebralPalsy) || p.Context.Exam?.DevelopmentalConcern == true;
        var child = p.Child.IsYes;
        var eeg = p.Context.Eeg?.Result;
        var fires = startle && (child || encephalopathy) && eeg != EegResult.Epileptiform;
        if (p.StartleInduced.IsUnknown && p.ClonusPresent && (child || encephalopathy))
        {
            s.Out.MissingData("clonus.types", "Startle-induced clonic attacks in a child or an encephalopathic patient are a seizure mimic: video-EEG before any antiepileptic.");
        }

        if (startle && eeg is null)
        {
            s.Out.MissingData("eeg.result", "Video-EEG decides whether these startle-induced attacks are epileptic or a non-epileptic mimic.");
        }

        if (startle && !child && !encephalopathy && p.Context.Exam?.DevelopmentalConcern is null)
        {
            s.Out.MissingData("exam.developmentalConcern", "Startle-induced clonic attacks with developmental or encephalopathic disease are a seizure mimic: video-EEG before any antiepileptic.");
        }
        s.Out.Trace.Add(Id, Tri.Of(fires), Description,
            [TraceInput.Of("startleInduced", p.StartleInduced), TraceInput.Of("child", p.Child), TraceInput.Of("encephalopathyOrBrainInjury", encephalopathy), TraceInput.Of("eeg.result", Name(eeg))]);
        if (startle && eeg == EegResult.Epileptiform)
        {
            return new EtiologyCall(Etiology.IndeterminateNeedsEvaluation, EtiologySubtype.EpilepticSeizures, Urgency.Urgent,
                "The EEG shows epileptiform activity, so these attacks may be epileptic after all; this is outside the clonus pathways and needs neurology.", Id);
        }

        return fires
            ? new EtiologyCall(Etiology.SeizureMimic, null, Urgency.Urgent,
                "Prolonged startle-induced clonic attacks in a child with encephalopathy look like clonic seizures but are non-epileptic; video-EEG settles it, and antiepileptics fail where myorelaxants work.", Id)
            : null;
    }

    private static string Name(EegResult? r) => r?.ToString() ?? "unknown";
}

/// <summary>
/// MET-HEPATIC. When hepatic failure or hepatic encephalopathy is recorded, or asterixis with
/// jaundice or ammonia above 50 µmol/L. Then metabolic (hepatic encephalopathy): treat the cause;
/// urgent, emergency in coma. [SEED-000; AASLD-EASL-HE2014]
/// </summary>
internal sealed class HepaticEncephalopathyRule : IEtiologyRule
{
    public const double AmmoniaUpperNormalUmolPerL = 50;

    public string Id => "MET-HEPATIC";
    public string Description => "Hepatic failure/encephalopathy → metabolic clonus";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var recorded = p.Has(Model.ConditionCategory.HepaticFailure) || p.Has(Model.ConditionCategory.HepaticEncephalopathy);
        var e = p.Context.Exam;
        var signs = e?.Asterixis == true && (e.Skin == SkinFinding.Jaundiced || p.Context.Labs?.AmmoniaUmolPerL > AmmoniaUpperNormalUmolPerL);
        var fires = p.ClonusPresent && (recorded || signs);
        if (p.ClonusPresent && !recorded && e?.Asterixis is null && (e?.Skin == SkinFinding.Jaundiced || p.Context.Labs?.AmmoniaUmolPerL > AmmoniaUpperNormalUmolPerL))
        {
            s.Out.MissingData("exam.asterixis", "Asterixis with jaundice or a raised ammonia points to hepatic encephalopathy as the cause of the clonus.");
        }

        if (p.ClonusPresent && !recorded && e?.Asterixis == true && e.Skin != SkinFinding.Jaundiced && p.Context.Labs?.AmmoniaUmolPerL is null)
        {
            s.Out.MissingData("labs.ammoniaUmolPerL", "Asterixis with a raised ammonia (or jaundice) points to hepatic encephalopathy as the cause of the clonus.");
        }
        s.Out.Trace.Add(Id, Tri.Of(fires), Description, [TraceInput.Of("hepaticConditionRecorded", recorded), TraceInput.Of("asterixisWithJaundiceOrHighAmmonia", signs)]);
        return fires
            ? new EtiologyCall(Etiology.Metabolic, EtiologySubtype.HepaticEncephalopathy,
                e?.MentalStatus == MentalStatus.Coma ? Urgency.Emergency : Urgency.Urgent,
                "Severe hepatic failure is a recognised metabolic cause of clonus; the treatment is the encephalopathy and its precipitant, not an antispastic.", Id)
            : null;
    }
}

/// <summary>
/// INF-THRESHOLDS. When the patient is under one year (or under two without a diagnosed UMN lesion,
/// since any clonus then persists beyond 8 months): more than 10 beats at any age, clonus
/// persisting at 8 months or later, sustained clonus, abnormal tone or developmental concern make it
/// abnormal (urgent, needs evaluation; a UMN cause is the differential when tone is high); up
/// to 10 unsustained symmetric beats before 8 months with a normal examination is a normal variant.
/// [INFANT169; SEED-001; AAP-MOTOR2013; NORMAL-CLONUS]
/// </summary>
internal sealed class InfantClonusRule : IEtiologyRule
{
    public const int MaxBeatsFirstYear = 10;
    public const double PersistenceAgeYears = 8.0 / 12.0;
    /// <summary>Below this age the first-year thresholds apply (clonus beyond 8 months counts as persisting).</summary>
    public const double EarlyChildhoodAgeYears = 2;

    public string Id => "INF-THRESHOLDS";
    public string Description => "Clonus before age 2: > 10 beats, persisting ≥ 8 months, sustained or abnormal tone → abnormal";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        // Into the second year: a clonus then has persisted beyond 8 months (or cannot be told from
        // one that has), which the cohort found always abnormal; never reassurance alone.
        // A toddler with a diagnosed UMN lesion follows that lesion's pathway instead.
        var young = Tri.When(p.AgeYears, a => a < 1 || (a < EarlyChildhoodAgeYears && !p.HasUmnCondition));
        if (!p.ClonusPresent || !young.IsYes)
        {
            s.Out.Trace.Add(Id, Tri.No, Description, [TraceInput.Of("under2Years", young), TraceInput.Of("clonusPresent", p.ClonusPresent)]);
            return null;
        }

        var c = p.Context.Clonus!;
        var e = p.Context.Exam;
        var manyBeats = Tri.When(c.Beats, b => b > MaxBeatsFirstYear);
        var persisting = Tri.Of(p.AgeYears >= PersistenceAgeYears);
        var toneAbnormal = Tri.When(e?.Tone, t => t != ToneGrade.Normal);
        var concern = Tri.Of(e?.DevelopmentalConcern) | Tri.Of(e?.OtherUmnSigns);
        var asymmetric = Tri.When(c.Laterality, l => l == Laterality.Unilateral);
        var abnormal = manyBeats | persisting | p.Sustained | toneAbnormal | concern | asymmetric;
        s.Out.Trace.Add(Id, abnormal, Description,
            [TraceInput.Of("beats>10", manyBeats), TraceInput.Of("age≥8months", persisting), TraceInput.Of("sustained", p.Sustained), TraceInput.Of("toneAbnormal", toneAbnormal), TraceInput.Of("developmentalConcernOrUmnSigns", concern), TraceInput.Of("unilateral", asymmetric)]);

        if (abnormal.IsNo)
        {
            return new EtiologyCall(Etiology.NormalVariant, EtiologySubtype.InfantClonus, Urgency.Routine,
                "Up to 10 unsustained, symmetric beats before 8 months with normal tone and development fall within what infant cohorts tolerate; re-examine as the infant grows.", Id);
        }

        if (abnormal.IsUnknown)
        {
            return new EtiologyCall(Etiology.IndeterminateNeedsEvaluation, EtiologySubtype.InfantClonus, Urgency.Urgent,
                "Infant clonus cannot be graded against the first-year thresholds (beats, sustained, tone, development) from the data given.", Id);
        }

        // No infant diagnosis is made here: high tone or UMN signs make a central (UMN) cause the
        // leading differential, for MRI to decide (AAP-MOTOR2013).
        if (e?.Tone == ToneGrade.Increased || e?.OtherUmnSigns == true || p.HasUmnCondition)
        {
            s.Out.Differential(Etiology.UmnLesion, null, "High tone or other UMN signs in an infant point to a central cause (e.g. cerebral palsy); brain MRI decides.");
        }

        return new EtiologyCall(Etiology.IndeterminateNeedsEvaluation, EtiologySubtype.InfantClonus, Urgency.Urgent,
            "In the first year, clonus of more than 10 beats, clonus persisting beyond 8 months, or clonus with abnormal tone predicted an abnormal outcome in a 169-infant cohort; it needs a full neuromotor evaluation.", Id);
    }
}

/// <summary>
/// NV-UNSUSTAINED. When clonus is unsustained, at most 5 beats, bilateral, without spontaneous or
/// ocular clonus, other UMN signs or weakness, and drug exposure is known and not implicated. Then
/// likely normal variant: routine. [NORMAL-CLONUS; brief §4.2]
/// </summary>
internal sealed class NormalVariantRule : IEtiologyRule
{
    public const int MaxBeats = 5;

    public string Id => "NV-UNSUSTAINED";
    public string Description => "≤ 5 unsustained symmetric beats, otherwise normal exam, no implicated drug → normal variant";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var c = p.Context.Clonus;
        var e = p.Context.Exam;
        var fewBeats = Tri.When(c?.Beats, b => b <= MaxBeats);
        var symmetric = Tri.When(c?.Laterality, l => l == Laterality.Bilateral);
        var noWorrying = !(p.SpontaneousClonus | p.OcularClonus | p.StartleInduced);
        // Other UMN signs must be known absent; weakness blocks when present (its absence is asked for in missingData).
        var noUmnSigns = !Tri.Of(e?.OtherUmnSigns) & Tri.Of(e?.Weakness != true);
        var drugsClear = Tri.Of(p.MedicationsFullyKnown) & (s.Hunter is null ? Tri.Yes : !p.SerotonergicPrecipitant() & !s.HunterMet);
        // The adult threshold needs a known age beyond infancy (infants have their own thresholds).
        var beyondInfancy = Tri.When(p.AgeYears, a => a >= InfantClonusRule.EarlyChildhoodAgeYears);
        var normal = Tri.Of(p.ClonusPresent) & !p.Sustained & fewBeats & symmetric & noWorrying & noUmnSigns & drugsClear
            & Tri.Of(!p.HasUmnCondition) & beyondInfancy;
        s.Out.Trace.Add(Id, normal, Description,
            [TraceInput.Of("ageKnownAndAtLeast2", beyondInfancy), TraceInput.Of("sustained", p.Sustained), TraceInput.Of("beats≤5", fewBeats), TraceInput.Of("bilateral", symmetric), TraceInput.Of("noSpontaneousOcularOrStartle", noWorrying), TraceInput.Of("noOtherUmnSignsOrWeakness", noUmnSigns), TraceInput.Of("drugExposureKnownAndNotImplicated", drugsClear)]);
        return normal.IsYes
            ? new EtiologyCall(Etiology.NormalVariant, null, Urgency.Routine,
                "A few beats of unsustained, symmetric ankle clonus with an otherwise normal examination can be normal; sustained clonus is the pathological sign.", Id)
            : null;
    }
}

/// <summary>
/// UMN-KNOWN. When a UMN lesion is recorded (stroke, MS, spinal cord injury/disease, TBI, cerebral
/// palsy, hypoxic brain injury) and clonus is present. Then UMN lesion: routine when chronic,
/// urgent when new (acute, subacute, acute-on-chronic). [SEED-000; SEED-001; BOYRAZ2015]
/// </summary>
internal sealed class KnownUmnLesionRule : IEtiologyRule
{
    public string Id => "UMN-KNOWN";
    public string Description => "Recorded UMN lesion + clonus → UMN clonus (chronic routine, new urgent)";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var onset = p.Context.Clonus?.Onset;
        // A new (or undated) clonus cannot be pinned on the old lesion while drug exposure is unknown.
        var exposureBlocks = !p.MedicationsFullyKnown && onset != ClonusOnset.Chronic;
        var fires = p.ClonusPresent && p.HasUmnCondition && !exposureBlocks;
        s.Out.Trace.Add(Id, Tri.Of(fires), Description,
            [TraceInput.Of("umnConditionRecorded", p.HasUmnCondition), TraceInput.Of("clonus.onset", onset?.ToString() ?? "unknown"), TraceInput.Of("drugExposureFullyKnown", p.MedicationsFullyKnown)]);
        if (!fires)
        {
            return null;
        }

        var isNew = onset is ClonusOnset.Acute or ClonusOnset.Subacute or ClonusOnset.AcuteOnChronic || p.AcuteUmnCondition;
        return new EtiologyCall(Etiology.UmnLesion, null, isNew ? Urgency.Urgent : Urgency.Routine,
            isNew
                ? "Clonus is new or worsening in a patient with a recorded upper-motor-neuron lesion; the lesion is the likely cause once drug causes are excluded, but a new or progressing lesion needs prompt review."
                : "Clonus in a patient with a recorded upper-motor-neuron lesion (stroke, MS, spinal cord injury or disease, brain injury, cerebral palsy) is UMN clonus.", Id);
    }
}

/// <summary>
/// UMN-NEW. When there is sustained clonus, or clonus with other UMN signs, no
/// recorded UMN lesion, and a drug cause is excluded (medications known, no serotonergic toxicity
/// picture), the course is chronic, or the signs are focal or unilateral (sustained, with weakness
/// or other UMN signs, Hunter not met). Then a new, undiagnosed UMN lesion: urgent structural work-up.
/// Not with fever and altered consciousness, or in pregnancy with a raised blood pressure, unless the
/// signs are focal: those are systemic until shown otherwise. [NORMAL-CLONUS; SEED-000; NICE-NG133]
/// </summary>
internal sealed class NewUmnSignsRule : IEtiologyRule
{
    public string Id => "UMN-NEW";
    public string Description => "Sustained clonus or UMN signs without a known lesion or drug cause → new UMN lesion";

    public EtiologyCall? Evaluate(TriageState s)
    {
        var p = s.Picture;
        var c = p.Context.Clonus;
        var pathological = p.Sustained.IsYes || p.Context.Exam?.OtherUmnSigns == true;
        var chronic = c?.Onset == ClonusOnset.Chronic;
        // Focal or unilateral sustained clonus with UMN signs is structural until shown otherwise:
        // an unplaced drug keeps a toxic cause open beside it but does not block it.
        var redFlag = StructuralRedFlagRule.Present(s);
        var drugExcluded = (p.MedicationsFullyKnown && (s.Hunter is null || s.HunterMet.IsNo)) || chronic || redFlag;
        // Fever with altered consciousness is a systemic illness (CNS infection, sepsis, a toxidrome)
        // until shown otherwise: not called a new structural lesion unless the signs are focal.
        // So is pre-eclampsia: pregnant, a raised blood pressure, signs not focal (OBS-PREECLAMPSIA).
        var systemic = (p.FeverOrRising.IsYes && p.AlteredConsciousness && !redFlag) || (PreeclampsiaRule.Applies(p) && !redFlag);
        var fires = p.ClonusPresent && !p.HasUmnCondition && pathological && drugExcluded && !systemic;
        s.Out.Trace.Add(Id, Tri.Of(fires), Description,
            [TraceInput.Of("sustainedOrUmnSigns", pathological), TraceInput.Of("drugCauseExcludedOrChronic", drugExcluded), TraceInput.Of("umnConditionRecorded", p.HasUmnCondition), TraceInput.Of("feverWithAlteredConsciousness", systemic)]);
        return fires
            ? new EtiologyCall(Etiology.UmnLesion, EtiologySubtype.NewUndiagnosedUmnLesion, Urgency.Urgent,
                "Sustained or asymmetric clonus (or clonus with other UMN signs) is pathological; with no known lesion and no drug explanation it needs structural work-up.", Id)
            : null;
    }
}

/// <summary>Names the signs a withdrawal rule reads that were not recorded (unknown is not "no").</summary>
internal static class WithdrawalSigns
{
    /// <summary>Names, in missingData, every taken drug with the role whose change is not recorded.</summary>
    public static void NameUnknownChange(TriageState s, string role, string reason)
    {
        foreach (var m in s.Picture.Medications)
        {
            if (m.Is(role) && m.Event == ExposureEvent.Unknown)
            {
                s.Out.MissingData($"medications[{m.Index}].change", reason);
            }
        }
    }

    public static void Name(TriageState s, string what, bool tone, bool reflexes = false, bool bp = false)
    {
        var p = s.Picture;
        var o = s.Out;
        var why = $"Decides {what}.";
        if (tone)
        {
            o.MissingData("exam.tone", "Rigidity or rebound spasticity " + why[0..1].ToLowerInvariant() + why[1..]);
        }

        if (reflexes)
        {
            o.MissingData("exam.reflexes", "Rebound hyperreflexia " + why[0..1].ToLowerInvariant() + why[1..]);
        }

        if (p.FeverOrRising.IsUnknown)
        {
            o.MissingData("vitals.temperatureC", "Fever " + why[0..1].ToLowerInvariant() + why[1..]);
        }

        if (p.Context.Exam?.MentalStatus is null)
        {
            o.MissingData("exam.mentalStatus", "Altered mental status " + why[0..1].ToLowerInvariant() + why[1..]);
        }

        if (bp && p.Context.Vitals?.SystolicBp is null)
        {
            o.MissingData("vitals.systolicBp", "Hypotension " + why[0..1].ToLowerInvariant() + why[1..]);
        }
    }
}
