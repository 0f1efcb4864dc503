using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage.Rules;

namespace ClonusCds.Core.Triage;

/// <summary>
/// The triage engine: a pure function from a patient context to an assessment. Etiology first:
/// every etiology rule proposes or declines; the toxic look-alikes proposed are weighed against each
/// other with the discriminator table (the best-supported one with its trigger is primary, the
/// others stay in the differential, not excluded while their trigger and hallmark hold); then the
/// management rules for the primary, the safety actions of every hazard not excluded, the
/// medication-safety rules that apply to everyone, the physiology floor, the missing-data rules and
/// a final safety guard. See docs/architecture.md and docs/clinical-reasoning.md.
/// </summary>
public sealed class TriageEngine
{
    private readonly ClinicalKnowledgeBase _kb;

    /// <summary>Etiology rules; the order breaks ties between equally supported calls.</summary>
    internal static IReadOnlyList<IEtiologyRule> EtiologyRules { get; } =
    [
        new MalignantHyperthermiaRule(),
        new NeurolepticMalignantSyndromeRule(),
        new ParkinsonismHyperpyrexiaRule(),
        new AnticholinergicToxicityRule(),
        new BaclofenToxicityRule(),
        new BaclofenWithdrawalRule(),
        new LithiumToxicityRule(),
        new SerotoninToxicityRule(),
        new MaskedSerotoninToxicityRule(),
        new MildSerotoninToxicityRule(),
        new SerotoninToxicityUndeterminedRule(),
        new SeizureMimicRule(),
        new HepaticEncephalopathyRule(),
        new InfantClonusRule(),
        new NormalVariantRule(),
        new KnownUmnLesionRule(),
        new NewUmnSignsRule(),
    ];

    /// <summary>Management, safety and missing-data rules, in the order they run.</summary>
    internal static IReadOnlyList<IManagementRule> ManagementRules { get; } =
    [
        // Pathways: each acts only on its own etiology.
        new SerotoninToxicityManagement(),
        new MildSerotoninToxicityManagement(),
        new MaskedOrUndeterminedToxicityManagement(),
        new NmsManagement(),
        new ParkinsonismHyperpyrexiaManagement(),
        new MalignantHyperthermiaManagement(),
        new AnticholinergicManagement(),
        new LithiumManagement(),
        new BaclofenToxicityManagement(),
        new BaclofenWithdrawalManagement(),
        new SeizureMimicManagement(),
        new HepaticEncephalopathyManagement(),
        new InfantManagement(),
        new NormalVariantManagement(),
        new UmnManagement(),
        new NewUmnLesionWorkup(),
        new IndeterminateManagement(),
        // Hazards that stay open beside the primary: their safety actions, the overlap, red flags.
        new DifferentialSafetyRule(),
        new SerotoninNmsOverlapRule(),
        new StructuralRedFlagRule(),
        new UnplacedInputRule(),
        // Medication safety: for every patient.
        new TizanidineCyp1a2Rule(),
        new TizanidineForClonusRule(),
        new MaoiCombinationRule(),
        new SerotonergicDraftOrderRule(),
        new FluoxetineHalfLifeRule(),
        new MetoclopramideRule(),
        new LithiumLevelRule(),
        new BaclofenRenalRule(),
        new BaclofenOnBoardRule(),
        new BaclofenWithdrawalEventRule(),
        new PregnancyBaclofenRule(),
        new AntiepilepticWithoutEegRule(),
        new SerotonergicDrugAloneRule(),
        new OldLesionRule(),
        new FluidsRule(),
        new ToxicMonitoringRule(),
        new UnsustainedClonusRule(),
        new BriskReflexesRule(),
        new InfectionDifferentialRule(),
        new NewbornRule(),
        new AbruptStopRule(),
        new ApnoeaRule(),
        new PreeclampsiaRule(),
        // Gaps, the pace the physiology sets, then the guard that keeps contraindicated advice out
        // whatever the rules above did.
        new MissingDataRule(),
        new PhysiologyFloorRule(),
        new RestraintRule(),
        new SafetyGuardRule(),
    ];

    /// <summary>Creates the engine over a validated knowledge base.</summary>
    public TriageEngine(ClinicalKnowledgeBase knowledgeBase)
    {
        ArgumentNullException.ThrowIfNull(knowledgeBase);
        _kb = knowledgeBase;
    }

    /// <summary>The knowledge base in use.</summary>
    public ClinicalKnowledgeBase KnowledgeBase => _kb;

    /// <summary>Assesses one patient context. Never throws for a context that passed validation.</summary>
    public Assessment Assess(PatientContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var trace = new TriageTrace();
        var unrecognized = new List<UnrecognizedInput>();
        var picture = new ClinicalPicture(context, _kb, unrecognized);
        var builder = new AssessmentBuilder(_kb, trace);
        NoteInputs(picture, trace);

        // Hunter applies "in the presence of a serotonergic agent" (Dunkley 2003).
        var agents = SerotonergicAgents(picture);
        var hunter = agents.Length > 0 && agents.Any(a => a.Status is "active" or "recently_stopped")
            ? HunterCriteria.Evaluate(picture, trace)
            : null;
        var state = new TriageState(picture, hunter, builder);

        var primary = Decide(state, trace);
        if (primary is null)
        {
            primary = Fallback(picture, hunter, state.Calls.Count > 0);
            trace.Add(primary.RuleId, Tri.Yes, "No etiology rule decided: " + primary.Reason, [$"urgency={primary.Urgency.ToString().ToLowerInvariant()}"]);
        }
        state.Primary = primary;
        builder.AtLeast(primary.Urgency);
        builder.Because(primary.Reason);
        Differentials(state, builder);

        // Every etiology rule is traced (why each cause was or was not called); management rules
        // are traced when they fire (the contract: "the rules that fired, in order").
        foreach (var rule in ManagementRules)
        {
            if (rule.Apply(state))
            {
                trace.Add(rule.Id, Tri.Yes, rule.Description, []);
            }
        }

        var (groups, pitfalls, citations) = builder.Build();
        var etiology = new EtiologyAssessment
        {
            Primary = primary.Etiology,
            Subtype = primary.Subtype,
            Differentials = builder.Differentials,
            Rationale = builder.Rationale,
        };
        var serotonin = agents.Length == 0 ? null : new SerotoninToxicityAssessment
        {
            SerotonergicAgents = agents,
            // No agent on board (only drafts or past stops): the criteria do not apply, so not met.
            HunterCriteriaMet = hunter is null ? false : hunter.Met.ToNullable(),
            HunterRulesFired = hunter?.Fired ?? [],
            HunterRulesUndetermined = hunter?.Undetermined ?? [],
            // "Mild" grades serotonergic features only when mild toxicity is the call; in a
            // patient whose clonus is NMS or a stroke it would mislabel the picture.
            Severity = hunter?.Severity is Severity.Mild && primary.RuleId != "ST-MILD" ? null : hunter?.Severity,
            ExposureCurrent = hunter is not null,
        };
        return new Assessment
        {
            // Time-ordered (RFC 9562 version 7): the audit trail's key index then grows at its end
            // instead of touching a random page per insert (docs/performance.md, "Issue 16").
            AssessmentId = Guid.CreateVersion7(),
            KnowledgeBaseVersion = _kb.Manifest.Version,
            Summary = AssessmentSummaryBuilder.Build(etiology, builder.Urgency, serotonin, groups, pitfalls, builder.Missing),
            Etiology = etiology,
            Urgency = builder.Urgency,
            SerotoninToxicity = serotonin,
            Recommendations = groups,
            Pitfalls = pitfalls,
            MissingData = builder.Missing,
            UnrecognizedInputs = unrecognized,
            Trace = trace.Entries,
            Citations = citations,
            Disclaimer = _kb.Manifest.Disclaimer,
        };
    }

    // Runs every etiology rule, weighs the toxic calls and picks the primary (null: fallback).
    private static EtiologyCall? Decide(TriageState state, TriageTrace trace)
    {
        var calls = state.Calls;
        foreach (var rule in EtiologyRules)
        {
            if (rule.Evaluate(state) is { } call)
            {
                calls.Add(call);
            }
        }

        // Weigh the toxic look-alikes that were proposed (features evaluated once, only if needed).
        for (var i = 0; i < calls.Count; i++)
        {
            if (DifferentialWeigher.Of(calls[i]) is { } candidate && state.ScoreOf(candidate) is null)
            {
                state.Weigher ??= new DifferentialWeigher(state.Picture.Kb.Discriminators, state.Picture, state.Hunter);
                state.SetScore(state.Weigher.Score(candidate));
            }
        }

        // Primary: the best-supported definite toxic call (trigger and hallmark present); ties keep
        // rule order. Without one, the first call in rule order that is not merely possible.
        EtiologyCall? best = null;
        var bestScore = int.MinValue;
        foreach (var call in calls)
        {
            if (DifferentialWeigher.Of(call) is { } candidate && !IsOpen(call) && state.ScoreOf(candidate)!.Score > bestScore)
            {
                best = call;
                bestScore = state.ScoreOf(candidate)!.Score;
            }
        }

        // Without a definite toxic call, nothing is set aside by weight: a rigid, hyperthermic
        // patient on a serotonergic drug is not cleared because the findings lean elsewhere when
        // nothing else explains them (brief §1.1).
        state.DefinitePrimary = best is not null;
        if (best is null)
        {
            foreach (var call in calls)
            {
                if (!call.Possible)
                {
                    best = call;
                    break;
                }
            }
        }

        TraceWeighing(state, trace, best);
        return best;
    }

    /// <summary>Every other call becomes a differential; toxic ones not excluded stay open with their urgency.</summary>
    private static void Differentials(TriageState state, AssessmentBuilder builder)
    {
        foreach (var call in state.Calls)
        {
            if (ReferenceEquals(call, state.Primary)
                || (call.Etiology == state.Primary.Etiology && call.Subtype == state.Primary.Subtype))
            {
                continue;
            }

            var open = DifferentialWeigher.Of(call) is not null && !SetAside(state, call);
            builder.Differential(call.Etiology, call.Subtype, call.Reason, open);
            if (open)
            {
                state.OpenHazards.Add(call);
                builder.AtLeast(call.Urgency);
            }
        }
    }

    /// <summary>Merely possible, or an indeterminate (masked, undetermined) toxic call.</summary>
    private static bool IsOpen(EtiologyCall call) => call.Possible || call.Etiology == Etiology.IndeterminateNeedsEvaluation;

    /// <summary>An open toxic call that the findings weigh clearly against, beside a definite toxic primary.</summary>
    private static bool SetAside(TriageState state, EtiologyCall call) =>
        state.DefinitePrimary && IsOpen(call) && DifferentialWeigher.Of(call) is { } candidate
        && state.ScoreOf(candidate)!.Score <= DifferentialWeigher.SetAsideAtOrBelow;

    private static void TraceWeighing(TriageState state, TriageTrace trace, EtiologyCall? primary)
    {
        if (state.Weigher is null)
        {
            return;
        }

        var primaryCandidate = primary is null ? null : DifferentialWeigher.Of(primary);
        foreach (var call in state.Calls)
        {
            if (DifferentialWeigher.Of(call) is not { } candidate || state.ScoreOf(candidate) is not { } score || score.Traced)
            {
                continue;
            }

            score.Traced = true;
            var outcome = candidate == primaryCandidate ? "primary" : SetAside(state, call) ? "set_aside" : "not_excluded";
            var inputs = new string[2 + score.Findings.Count];
            inputs[0] = TraceInput.Of("score", (double)score.Score);
            inputs[1] = call.Possible ? "trigger=not_recorded" : call.Etiology == Etiology.IndeterminateNeedsEvaluation ? "call=indeterminate" : "trigger=present";
            for (var i = 0; i < score.Findings.Count; i++)
            {
                inputs[i + 2] = score.Findings[i];
            }

            trace.Weighed(WeighRuleIds[(int)candidate], outcome, WeighDetails[(int)candidate], inputs);
        }
    }

    private static readonly string[] WeighRuleIds = Enum.GetValues<Candidate>().Select(c => "WEIGH-" + DiscriminatorTable.Wire(c).ToUpperInvariant().Replace('_', '-')).ToArray();
    private static readonly string[] WeighDetails = Enum.GetValues<Candidate>().Select(c => $"Findings for and against {DiscriminatorTable.Wire(c).Replace('_', ' ')} (discriminator table, reasoning.json)").ToArray();

    /// <summary>
    /// INDET-FALLBACK. When no rule decides. Then indeterminate: urgent while a toxic or acute cause
    /// is still possible (exposure not fully known, serotonergic agent on board, acute onset, fever
    /// or altered mental status), otherwise routine evaluation.
    /// </summary>
    private static EtiologyCall Fallback(ClinicalPicture p, HunterResult? hunter, bool possibleCausesOpen)
    {
        if (possibleCausesOpen)
        {
            // Only merely possible causes were proposed: none can be confirmed, none is excluded.
            return EtiologyCall.Indeterminate(
                "No cause can be confirmed from the data given; the dangerous causes listed as not excluded stay open until the missing data rule them out.")
                with { RuleId = p.ClonusPresent ? "INDET-FALLBACK" : "INDET-NO-CLONUS" };
        }

        if (!p.ClonusPresent)
        {
            return new EtiologyCall(Etiology.IndeterminateNeedsEvaluation, null, Urgency.Routine,
                "No clonus was seen on this examination and no toxidrome is evident; nothing here points to a clonus etiology.", "INDET-NO-CLONUS");
        }

        var mental = p.Context.Exam?.MentalStatus;
        var toxicOrAcutePossible = !p.MedicationsFullyKnown || hunter is not null
            || p.Context.Clonus?.Onset is ClonusOnset.Acute or ClonusOnset.Subacute or ClonusOnset.AcuteOnChronic
            || p.FeverOrRising.IsYes || (mental is not null && mental != MentalStatus.Normal);
        return EtiologyCall.Indeterminate(toxicOrAcutePossible
            ? "The findings do not support a single cause and a toxic or acute cause is not excluded; the data named under missingData would decide it."
            : "The clonus falls outside the normal-variant criteria without a recorded lesion or sustained clonus with UMN signs; it needs a documented full neurological examination.")
            with { Urgency = toxicOrAcutePossible ? Urgency.Urgent : Urgency.Routine };
    }

    private static SerotonergicAgentMatch[] SerotonergicAgents(ClinicalPicture p)
    {
        var count = 0;
        foreach (var m in p.Medications)
        {
            if (m.Is(Vocabulary.DrugRoles.Serotonergic))
            {
                count++;
            }
        }

        var agents = new SerotonergicAgentMatch[count];
        var i = 0;
        foreach (var m in p.Medications)
        {
            if (m.Is(Vocabulary.DrugRoles.Serotonergic))
            {
                agents[i++] = new SerotonergicAgentMatch(m.Drug.Name, m.Drug.Rxcui, m.Drug.SerotonergicClass!, m.Drug.RiskTier!, m.Drug.EvidenceTier!,
                    m.Exposure switch
                    {
                        Exposure.Current => "active",
                        Exposure.RecentlyStopped => "recently_stopped",
                        Exposure.PastStop => "stopped",
                        _ => "draft",
                    },
                    m.MatchedBy switch
                    {
                        Vocabulary.DrugMatchKind.Rxcui => "rxcui",
                        Vocabulary.DrugMatchKind.ProductRxcui => "product_rxcui",
                        Vocabulary.DrugMatchKind.Brand => "brand_name",
                        _ => "name",
                    },
                    m.Index);
            }
        }

        return agents;
    }

    private static void NoteInputs(ClinicalPicture p, TriageTrace trace)
    {
        if (p.RenalEstimated)
        {
            trace.Note("INPUT-RENAL", "Kidney function estimated (no measured eGFR): CKD-EPI 2021 from creatinine, else the recorded CKD stage",
                [TraceInput.Of("source", p.RenalSource), TraceInput.Of("eGFR", Math.Round(p.EstimatedEgfr!.Value))]);
        }

        if (p.Medications.Count > 0)
        {
            var inputs = new string[p.Medications.Count];
            var notImplicated = 0;
            for (var i = 0; i < inputs.Length; i++)
            {
                var m = p.Medications[i];
                var roles = m.Drug.Tier == DrugTier.NotImplicated ? $"known, not implicated: {m.Drug.DrugClass}"
                    : m.Drug.Roles.Count == 0 ? "roles: none" : "roles: " + string.Join("/", m.Drug.Roles);
                notImplicated += m.Drug.Tier == DrugTier.NotImplicated ? 1 : 0;
                inputs[i] = $"medications[{m.Index}] → {m.Drug.Name} ({roles}; exposure: {System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(m.Exposure.ToString())})";
            }

            trace.Note("INPUT-MEDICATIONS", "Medications placed in the drug vocabulary", inputs);
            if (notImplicated > 0)
            {
                // Only the vocabulary's own names: the entry's free text never reaches the trace.
                var names = new string[notImplicated];
                var n = 0;
                foreach (var m in p.Medications)
                {
                    if (m.Drug.Tier == DrugTier.NotImplicated)
                    {
                        names[n++] = $"medications[{m.Index}] → {m.Drug.Name}";
                    }
                }

                trace.Note("INPUT-MEDICATIONS-NOT-IMPLICATED",
                    "Recognised as known, not implicated (common-drugs.json): none of the roles this engine weighs, so drug exposure stays fully known",
                    names);
            }
        }

        if (p.Categories.Length > 0)
        {
            var inputs = new string[p.Categories.Length];
            for (var i = 0; i < inputs.Length; i++)
            {
                inputs[i] = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Categories[i].ToString());
            }

            trace.Note("INPUT-CONDITIONS", "Conditions placed in categories", inputs);
        }
    }
}
