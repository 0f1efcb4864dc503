using System.Text.Json.Nodes;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Vocabulary;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// The two tiers of the drug vocabulary (docs/knowledge-base.md, "Drug vocabulary tiers"): drugs.json
/// (roles the rules look for) and common-drugs.json (known, not implicated). A not-implicated drug is
/// recognised, keeps exposure fully known, is named in the trace, and never hides a relevant drug.
/// </summary>
public sealed class DrugVocabularyTierTests
{
    private static List<DrugMatch> Drugs(string? rxcui, string? name)
    {
        var matches = new List<DrugMatch>();
        Engine.Kb.DrugVocabulary.Match(rxcui, name, matches);
        return matches;
    }

    private static IEnumerable<string> Terms(DrugEntry d) =>
        d.Synonyms.Concat(d.BrandNames).Prepend(d.Name).Select(DrugVocabulary.Normalize);

    private static bool ContainsWords(string outer, string inner) => $" {outer} ".Contains($" {inner} ", StringComparison.Ordinal);

    // ─── Recognition ────────────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData("atorvastatin 40 mg tablet", "atorvastatin", "statin", DrugMatchKind.Name)]
    [InlineData("LIPITOR 20MG", "atorvastatin", "statin", DrugMatchKind.Brand)]
    [InlineData("omeprazole 20 mg delayed-release capsule", "omeprazole", "proton_pump_inhibitor", DrugMatchKind.Name)]
    [InlineData("Nexium 40 mg", "esomeprazole", "proton_pump_inhibitor", DrugMatchKind.Brand)]
    [InlineData("amlodipine besylate 5 mg", "amlodipine", "calcium_channel_blocker", DrugMatchKind.Name)]
    [InlineData("Norvasc", "amlodipine", "calcium_channel_blocker", DrugMatchKind.Brand)]
    [InlineData("metoprolol succinate ER 50 mg", "metoprolol", "beta_blocker", DrugMatchKind.Name)]
    [InlineData("Synthroid 100 mcg", "levothyroxine", "thyroid_hormone", DrugMatchKind.Brand)]
    [InlineData("Eliquis 5 mg twice daily", "apixaban", "anticoagulant", DrugMatchKind.Brand)]
    public void Common_drugs_are_recognised_as_known_not_implicated(string text, string drug, string drugClass, DrugMatchKind kind)
    {
        var m = Assert.Single(Drugs(null, text));
        Assert.Equal(drug, m.Drug.Name);
        Assert.Equal(kind, m.Kind);
        Assert.Equal(DrugTier.NotImplicated, m.Drug.Tier);
        Assert.Equal(drugClass, m.Drug.DrugClass);
        Assert.Empty(m.Drug.Roles);
    }

    [Fact]
    public void A_not_implicated_drug_is_matched_by_its_rxcui()
    {
        // Metoprolol 6918: RXN-EXTRACT and CPIC agree.
        var m = Assert.Single(Drugs("6918", null));
        Assert.Equal("metoprolol", m.Drug.Name);
        Assert.Equal(DrugMatchKind.Rxcui, m.Kind);
        Assert.Equal(DrugTier.NotImplicated, m.Drug.Tier);
    }

    [Fact]
    public void Drugs_json_entries_stay_rule_relevant()
    {
        Assert.All(Engine.Kb.Drugs, d => Assert.Equal(DrugTier.RuleRelevant, d.Tier));
        Assert.All(Engine.Kb.NotImplicatedDrugs, d => Assert.Equal(DrugTier.NotImplicated, d.Tier));
        Assert.True(Engine.Kb.NotImplicatedDrugs.Count >= 200, $"only {Engine.Kb.NotImplicatedDrugs.Count} not-implicated drugs");
    }

    [Fact]
    public void Statin_ppi_and_antihypertensive_keep_exposure_fully_known_and_are_named_in_the_trace()
    {
        var context = KnownUmn() with
        {
            Medications = [Med("baclofen"), Med("atorvastatin 40 mg at night"), Med("Nexium"), Med("amlodipine 5 mg (patient keeps it in the car)")],
        };

        var picture = Picture(context);
        Assert.True(picture.MedicationsFullyKnown);

        var a = Engine.Assess(context);
        Assert.DoesNotContain(a.UnrecognizedInputs, u => u.Kind == "medication");
        var note = Assert.Single(a.Trace, t => t.Rule == "INPUT-MEDICATIONS-NOT-IMPLICATED");
        Assert.Equal("read", note.Outcome);
        Assert.Equal(["medications[1] → atorvastatin", "medications[2] → esomeprazole", "medications[3] → amlodipine"], note.Inputs);
        var placed = Assert.Single(a.Trace, t => t.Rule == "INPUT-MEDICATIONS");
        Assert.Contains("medications[2] → esomeprazole (known, not implicated: proton_pump_inhibitor; exposure: current)", placed.Inputs);

        // Only the vocabulary's names reach the trace, never the entry's free text.
        Assert.DoesNotContain(a.Trace.SelectMany(t => t.Inputs.Append(t.Detail)), s => s.Contains("car", StringComparison.Ordinal) && s.Contains("keeps", StringComparison.Ordinal));
    }

    [Fact]
    public void A_drug_in_neither_tier_still_makes_exposure_not_fully_known()
    {
        // Furosemide is deliberately in neither tier (a loop diuretic's effect on lithium is uncertain).
        var context = KnownUmn() with { Medications = [Med("baclofen"), Med("atorvastatin"), Med("furosemide 40 mg")] };
        Assert.False(Picture(context).MedicationsFullyKnown);
        var a = Engine.Assess(context);
        Assert.Contains(a.UnrecognizedInputs, u => u.Kind == "medication" && u.Path == "medications[2]");
        Assert.Equal(["medications[1] → atorvastatin"], Assert.Single(a.Trace, t => t.Rule == "INPUT-MEDICATIONS-NOT-IMPLICATED").Inputs);
    }

    [Fact]
    public void No_not_implicated_note_when_every_drug_is_rule_relevant()
    {
        var a = Engine.Assess(KnownUmn() with { Medications = [Med("baclofen")] });
        Assert.DoesNotContain(a.Trace, t => t.Rule == "INPUT-MEDICATIONS-NOT-IMPLICATED");
    }

    // ─── Never hiding a relevant drug ──────────────────────────────────────────────────────

    [Fact]
    public void No_not_implicated_term_equals_contains_or_sits_inside_a_drugs_json_term()
    {
        var relevant = Engine.Kb.Drugs.SelectMany(d => Terms(d).Select(t => (Term: t, d.Name))).ToList();
        var problems = new List<string>();
        foreach (var c in Engine.Kb.NotImplicatedDrugs)
        {
            foreach (var term in Terms(c))
            {
                foreach (var (rt, name) in relevant)
                {
                    if (ContainsWords(rt, term) || ContainsWords(term, rt))
                    {
                        problems.Add($"'{term}' ({c.Name}) overlaps '{rt}' ({name})");
                    }
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void Every_not_implicated_term_beside_a_relevant_drug_leaves_the_relevant_drug_matched()
    {
        foreach (var c in Engine.Kb.NotImplicatedDrugs)
        {
            foreach (var term in Terms(c))
            {
                foreach (var text in new[] { $"{term} / sertraline 50 mg", $"sertraline and {term}", $"{term}-benazepril" })
                {
                    var names = Drugs(null, text).Select(m => m.Drug.Name).ToList();
                    Assert.True(names.Contains("sertraline") || names.Contains("benazepril"), $"'{text}' lost its relevant drug: [{string.Join(", ", names)}]");
                    Assert.Contains(c.Name, names);
                }
            }
        }
    }

    [Theory]
    [InlineData("amlodipine/benazepril 5 mg/20 mg", "amlodipine", "benazepril", DrugRoles.RaisesLithiumLevel)]
    [InlineData("amlodipine and valsartan", "amlodipine", "valsartan", DrugRoles.RaisesLithiumLevel)]
    [InlineData("esomeprazole / naproxen", "esomeprazole", "naproxen", DrugRoles.RaisesLithiumLevel)]
    [InlineData("atorvastatin 20 mg, fluvoxamine 100 mg", "atorvastatin", "fluvoxamine", DrugRoles.Cyp1a2Inhibitor)]
    [InlineData("norethindrone acetate and ethinyl estradiol", "norethindrone", "ethinyl estradiol", DrugRoles.Cyp1a2InhibitorAvoid)]
    [InlineData("sitagliptin-metformin with rasagiline", "sitagliptin", "rasagiline", DrugRoles.Dopaminergic)]
    public void A_combination_with_a_not_implicated_ingredient_still_matches_the_relevant_one(string text, string notImplicated, string relevant, string role)
    {
        var matches = Drugs(null, text);
        Assert.Contains(matches, m => m.Drug.Name == notImplicated && m.Drug.Tier == DrugTier.NotImplicated);
        var hit = Assert.Single(matches, m => m.Drug.Name == relevant);
        Assert.Equal(DrugTier.RuleRelevant, hit.Drug.Tier);
        Assert.Contains(role, hit.Drug.Roles);
    }

    [Theory]
    [InlineData("Lotrel 5/20", "benazepril")]
    [InlineData("Entresto 49/51 mg", "valsartan")]
    [InlineData("Hyzaar 50/12.5", "losartan")]
    [InlineData("Trelegy Ellipta", "umeclidinium")]
    [InlineData("Duexis", "ibuprofen")]
    [InlineData("Aggrenox 25/200", "aspirin")]
    public void A_combination_brand_with_a_relevant_ingredient_belongs_to_the_relevant_drug(string text, string drug)
    {
        var m = Assert.Single(Drugs(null, text));
        Assert.Equal(drug, m.Drug.Name);
        Assert.Equal(DrugTier.RuleRelevant, m.Drug.Tier);
        Assert.NotEmpty(m.Drug.Roles);
    }

    // ─── Roles of the relevant tier ────────────────────────────────────────────────────────

    [Theory]
    [InlineData("carbidopa-levodopa 25/100 mg", "levodopa")]
    [InlineData("Sinemet CR", "levodopa")]
    [InlineData("Rytary 36.25 mg/145 mg", "levodopa")]
    [InlineData("Madopar 125", "levodopa")]
    [InlineData("benserazide/levodopa", "levodopa")]
    [InlineData("Duopa enteral suspension", "levodopa")]
    [InlineData("Inbrija inhalation", "levodopa")]
    [InlineData("Stalevo 100", "levodopa")]
    [InlineData("bromocriptine mesylate 2.5 mg", "bromocriptine")]
    [InlineData("Dostinex 0.5 mg", "cabergoline")]
    [InlineData("Comtan 200 mg", "entacapone")]
    [InlineData("opicapone", "opicapone")]
    [InlineData("Tasmar", "tolcapone")]
    public void Dopaminergic_products_carry_the_dopaminergic_role(string text, string drug)
    {
        var m = Assert.Single(Drugs(null, text));
        Assert.Equal(drug, m.Drug.Name);
        Assert.Contains(DrugRoles.Dopaminergic, m.Drug.Roles);
    }

    [Fact]
    public void Carbidopa_levodopa_entacapone_matches_both_dopaminergic_ingredients()
    {
        var names = Drugs(null, "carbidopa, levodopa and entacapone 25/100/200 mg").Select(m => m.Drug.Name).ToList();
        Assert.Equal(["levodopa", "entacapone"], names);
    }

    [Fact]
    public void Carbidopa_alone_is_recognised_without_a_role()
    {
        var m = Assert.Single(Drugs(null, "Lodosyn 25 mg"));
        Assert.Equal("carbidopa", m.Drug.Name);
        Assert.Empty(m.Drug.Roles);
        Assert.Equal(DrugTier.RuleRelevant, m.Drug.Tier);
    }

    [Theory]
    [InlineData("selegiline")]
    [InlineData("rasagiline")]
    [InlineData("safinamide")]
    public void Mao_b_inhibitors_are_serotonergic_maois_and_dopaminergic(string drug)
    {
        var d = Engine.Kb.Drugs.Single(x => x.Name == drug);
        Assert.Equal([DrugRoles.Serotonergic, DrugRoles.Maoi, DrugRoles.Dopaminergic], d.Roles);
        Assert.Equal("high", d.RiskTier);
    }

    [Theory]
    [InlineData("promethazine", DrugRoles.DopamineAntagonist)]
    [InlineData("clozapine", DrugRoles.DopamineAntagonist)]
    [InlineData("chlorpromazine", DrugRoles.DopamineAntagonist)]
    [InlineData("olanzapine", DrugRoles.DopamineAntagonist)]
    [InlineData("cyclobenzaprine", DrugRoles.Serotonergic)]
    public void Drugs_with_marked_antimuscarinic_action_are_also_anticholinergic(string drug, string keeps)
    {
        var d = Engine.Kb.Drugs.Single(x => x.Name == drug);
        Assert.Contains(DrugRoles.Anticholinergic, d.Roles);
        Assert.Contains(keeps, d.Roles);
    }

    [Theory]
    [InlineData("meloxicam", DrugRoles.RaisesLithiumLevel)]
    [InlineData("celecoxib", DrugRoles.RaisesLithiumLevel)]
    [InlineData("ketorolac", DrugRoles.RaisesLithiumLevel)]
    [InlineData("benazepril", DrugRoles.RaisesLithiumLevel)]
    [InlineData("olmesartan", DrugRoles.RaisesLithiumLevel)]
    [InlineData("indapamide", DrugRoles.RaisesLithiumLevel)]
    [InlineData("metolazone", DrugRoles.RaisesLithiumLevel)]
    [InlineData("meclizine", DrugRoles.Anticholinergic)]
    [InlineData("solifenacin", DrugRoles.Anticholinergic)]
    [InlineData("tiotropium", DrugRoles.Anticholinergic)]
    [InlineData("alprazolam", DrugRoles.Benzodiazepine)]
    [InlineData("gabapentin", DrugRoles.Antiepileptic)]
    [InlineData("pregabalin", DrugRoles.Antiepileptic)]
    [InlineData("tetrabenazine", DrugRoles.DopamineAntagonist)]
    [InlineData("deutetrabenazine", DrugRoles.DopamineAntagonist)]
    [InlineData("valbenazine", DrugRoles.DopamineAntagonist)]
    [InlineData("methoxyflurane", DrugRoles.MhTrigger)]
    [InlineData("famotidine", DrugRoles.Cyp1a2InhibitorAvoid)]
    [InlineData("levofloxacin", DrugRoles.Cyp1a2InhibitorAvoid)]
    public void Relevant_drugs_added_for_vocabulary_breadth_carry_their_role(string drug, string role)
    {
        var d = Engine.Kb.Drugs.Single(x => x.Name == drug);
        Assert.Contains(role, d.Roles);
        Assert.DoesNotContain(Engine.Kb.CommonDrugs, c => c.Name == drug);
    }

    [Fact]
    public void Metaxalone_is_a_low_tier_serotonergic_muscle_relaxant()
    {
        var d = Engine.Kb.Drugs.Single(x => x.Name == "metaxalone");
        Assert.Equal([DrugRoles.Serotonergic], d.Roles);
        Assert.Equal("muscle_relaxant", d.SerotonergicClass);
        Assert.Equal("low", d.RiskTier);
        Assert.Contains("METAXALONE-ST2014", d.Citations);
    }

    [Fact]
    public void Amoxapine_is_a_serotonergic_tca_that_also_blocks_dopamine_and_acetylcholine()
    {
        var d = Engine.Kb.Drugs.Single(x => x.Name == "amoxapine");
        Assert.Equal([DrugRoles.Serotonergic, DrugRoles.Anticholinergic, DrugRoles.DopamineAntagonist], d.Roles);
        Assert.Equal("tca", d.SerotonergicClass);
        Assert.Equal("standard", d.RiskTier);
    }

    [Fact]
    public void Every_rxcui_comes_from_a_cited_database()
    {
        // RxCUIs are taken only from RXN-EXTRACT or CPIC (or were already verified in the brief's table):
        // a coded entry must cite one of them, except the few drugs.json entries coded before this rule.
        string[] databases = ["RXN-EXTRACT", "CPIC"];
        string[] codedBefore = ["lithium citrate"];
        foreach (var d in Engine.Kb.Drugs.Concat(Engine.Kb.NotImplicatedDrugs).Where(d => d.Rxcui is not null && !codedBefore.Contains(d.Name)))
        {
            Assert.True(d.Citations.Intersect(databases).Any(), $"{d.Name} has RxCUI {d.Rxcui} but cites neither database");
        }
    }

    // ─── Engine behaviour with the new roles ───────────────────────────────────────────────

    [Theory]
    [InlineData("carbidopa-levodopa 25/100")]
    [InlineData("rasagiline")]
    [InlineData("Azilect 1 mg")]
    [InlineData("bromocriptine")]
    [InlineData("entacapone")]
    public void A_stopped_dopaminergic_drug_with_rigidity_and_fever_reaches_the_parkinsonism_hyperpyrexia_pathway(string name)
    {
        var a = Engine.Assess(ReasoningV2RuleTests.Parkinsonian(Stopped(name, 1), Med("atorvastatin")));
        Assert.Equal("fired", a.Outcome("TOX-PHS"));
        Assert.Equal(EtiologySubtype.ParkinsonismHyperpyrexiaSyndrome, a.Etiology.Subtype);
        Assert.Equal(Urgency.Emergency, a.Urgency);
        Assert.Contains("reinstate_dopaminergic_therapy", a.AllCodes());
    }

    [Fact]
    public void Rasagiline_taken_unchanged_is_no_dopaminergic_withdrawal()
    {
        var a = Engine.Assess(ReasoningV2RuleTests.Parkinsonian(Med("rasagiline")));
        Assert.NotEqual("fired", a.Outcome("TOX-PHS"));
        Assert.DoesNotContain("reinstate_dopaminergic_therapy", a.AllCodes());
    }

    [Fact]
    public void Nms_on_haloperidol_stays_nms_while_bromocriptine_is_being_given()
    {
        var a = Engine.Assess(Nms().AddMedications(Med("bromocriptine")));
        Assert.Equal(EtiologySubtype.NeurolepticMalignantSyndrome, a.Etiology.Subtype);
        Assert.Equal("fired", a.Outcome("TOX-NMS"));
        Assert.NotEqual("fired", a.Outcome("TOX-PHS"));
        Assert.Contains("discontinue_dopamine_antagonist", a.AllCodes());
    }

    [Theory]
    [InlineData("tetrabenazine")]
    [InlineData("Austedo")]
    [InlineData("Ingrezza")]
    public void A_vmat2_inhibitor_with_lead_pipe_rigidity_and_fever_is_nms(string name)
    {
        var a = Engine.Assess(Nms() with { Medications = [Increased(name, 3)] });
        Assert.Equal(EtiologySubtype.NeurolepticMalignantSyndrome, a.Etiology.Subtype);
        Assert.Equal("fired", a.Outcome("TOX-NMS"));
    }

    // ─── Validation of common-drugs.json ───────────────────────────────────────────────────

    private static KnowledgeBaseValidationException Refused(Action<JsonArray> edit) =>
        Assert.Throws<KnowledgeBaseValidationException>(() => EmbeddedContent.LoadWith("common-drugs.json", json =>
        {
            var array = JsonNode.Parse(json)!.AsArray();
            edit(array);
            return array.ToJsonString();
        }));

    private static JsonObject Common(JsonArray array, string name) => array.Select(n => n!.AsObject()).First(o => (string?)o["name"] == name);

    private static JsonObject NewCommon(string name, string? rxcui = null) => new()
    {
        ["name"] = name, ["rxcui"] = rxcui, ["synonyms"] = new JsonArray(), ["brandNames"] = new JsonArray(), ["class"] = "test_class",
        ["citations"] = new JsonArray("BOYER2005"),
    };

    [Fact]
    public void Unmodified_common_drugs_load()
    {
        var kb = EmbeddedContent.LoadWith("common-drugs.json", s => JsonNode.Parse(s)!.ToJsonString());
        Assert.Equal(Engine.Kb.CommonDrugs.Count, kb.CommonDrugs.Count);
    }

    [Fact]
    public void A_not_implicated_synonym_equal_to_a_relevant_drug_is_refused()
    {
        var ex = Refused(a => Common(a, "atorvastatin")["synonyms"]!.AsArray().Add("sertraline"));
        Assert.Contains(ex.Problems, p => p.Contains("common-drugs[atorvastatin]", StringComparison.Ordinal) && p.Contains("'sertraline'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_not_implicated_term_that_contains_a_relevant_drug_is_refused()
    {
        var ex = Refused(a => Common(a, "amlodipine")["synonyms"]!.AsArray().Add("amlodipine benazepril"));
        Assert.Contains(ex.Problems, p => p.Contains("would hide 'benazepril'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_not_implicated_term_inside_a_relevant_term_is_refused()
    {
        // "estradiol" sits inside "ethinyl estradiol" (CYP1A2 avoid list): refused, so it stays unknown.
        var ex = Refused(a => a.Add(NewCommon("estradiol")));
        Assert.Contains(ex.Problems, p => p.Contains("common-drugs[estradiol]", StringComparison.Ordinal) && p.Contains("'ethinyl estradiol'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_drug_in_both_files_is_refused()
    {
        var ex = Refused(a => a.Add(NewCommon("baclofen")));
        Assert.Contains(ex.Problems, p => p.Contains("common-drugs[baclofen]: also in drugs.json", StringComparison.Ordinal));
    }

    [Fact]
    public void A_duplicate_not_implicated_name_is_refused()
    {
        var ex = Refused(a => a.Add(NewCommon("atorvastatin")));
        Assert.Contains(ex.Problems, p => p.Contains("duplicate name 'atorvastatin'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_non_digit_or_shared_rxcui_is_refused()
    {
        var ex = Refused(a =>
        {
            Common(a, "atorvastatin")["rxcui"] = "RX83367";
            Common(a, "omeprazole")["rxcui"] = "36437"; // sertraline's
        });
        Assert.Contains(ex.Problems, p => p.Contains("RxCUI 'RX83367' is not digits", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("common-drugs[omeprazole]: RxCUI 36437 also belongs to 'sertraline'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Statin Drug")]
    public void An_empty_or_malformed_class_is_refused(string drugClass)
    {
        var ex = Refused(a => Common(a, "atorvastatin")["class"] = drugClass);
        Assert.Contains(ex.Problems, p => p.Contains("common-drugs[atorvastatin].class", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_citation_is_refused()
    {
        var ex = Refused(a => Common(a, "atorvastatin")["citations"]!.AsArray().Add("NOPE-2099"));
        Assert.Contains(ex.Problems, p => p.Contains("common-drugs[atorvastatin] cites unknown source 'NOPE-2099'", StringComparison.Ordinal));
    }

    [Fact]
    public void Roles_cannot_be_given_to_a_not_implicated_drug()
    {
        var ex = Refused(a => Common(a, "atorvastatin")["roles"] = new JsonArray("serotonergic"));
        Assert.Contains(ex.Problems, p => p.Contains("common-drugs.json", StringComparison.Ordinal) && p.Contains("roles", StringComparison.Ordinal));
    }

    [Fact]
    public void Drugs_json_cannot_declare_its_own_tier()
    {
        var ex = Assert.Throws<KnowledgeBaseValidationException>(() => EmbeddedContent.LoadWith("drugs.json", json =>
        {
            var array = JsonNode.Parse(json)!.AsArray();
            array[0]!.AsObject()["tier"] = "not_implicated";
            return array.ToJsonString();
        }));
        Assert.Contains(ex.Problems, p => p.Contains("drugs.json", StringComparison.Ordinal) && p.Contains("tier", StringComparison.Ordinal));
    }

    // ─── SAFE-TIZ-CYP1A2: the label's avoid list ───────────────────────────────────────────

    /// <summary>Chronic MS clonus on tizanidine (routine on its own), plus the given drugs.</summary>
    private static PatientContext OnTizanidine(params MedicationEntry[] more) =>
        KnownUmn() with { Medications = [Med("tizanidine 4 mg"), .. more] };

    [Theory]
    [InlineData("famotidine 20 mg")]
    [InlineData("Pepcid")]
    [InlineData("cimetidine")]
    [InlineData("amiodarone 200 mg")]
    [InlineData("verapamil SR")]
    [InlineData("Levaquin 500 mg")]
    [InlineData("norfloxacin")]
    [InlineData("acyclovir 400 mg")]
    [InlineData("Valtrex 1 g")]
    [InlineData("Yaz")]
    [InlineData("norgestimate and ethinyl estradiol")]
    [InlineData("zileuton")]
    [InlineData("ticlopidine")]
    public void Tizanidine_with_a_cyp1a2_inhibitor_to_avoid_is_a_pitfall_that_does_not_raise_urgency(string other)
    {
        var alone = Engine.Assess(OnTizanidine());
        var a = Engine.Assess(OnTizanidine(Med(other)));
        Assert.True(a.HasPitfall(Codes.TizanidineCyp1a2Avoid));
        Assert.Equal("SAFE-TIZ-CYP1A2", a.Item(Codes.TizanidineCyp1a2Avoid)!.FiredBy);
        Assert.Equal("fired", a.Outcome("SAFE-TIZ-CYP1A2"));
        Assert.False(a.HasPitfall(Codes.TizanidineCyp1a2Contraindication));
        Assert.DoesNotContain(Codes.StopContraindicatedCombination, a.AllCodes());
        Assert.Equal(alone.Urgency, a.Urgency);
        Assert.True(a.Urgency < Urgency.Urgent);
        Assert.False(alone.HasPitfall(Codes.TizanidineCyp1a2Avoid));
    }

    [Theory]
    [InlineData("ciprofloxacin 500 mg")]
    [InlineData("fluvoxamine")]
    public void The_contraindicated_pair_stays_urgent_and_is_not_downgraded_to_the_avoid_pitfall(string other)
    {
        var a = Engine.Assess(OnTizanidine(Med(other)));
        Assert.True(a.Urgency >= Urgency.Urgent);
        Assert.Contains(Codes.StopContraindicatedCombination, a.AllCodes());
        Assert.True(a.HasPitfall(Codes.TizanidineCyp1a2Contraindication));
        Assert.False(a.HasPitfall(Codes.TizanidineCyp1a2Avoid));
    }

    [Fact]
    public void Both_lists_together_give_both_pitfalls_and_urgency()
    {
        var a = Engine.Assess(OnTizanidine(Med("ciprofloxacin"), Med("famotidine")));
        Assert.True(a.Urgency >= Urgency.Urgent);
        Assert.True(a.HasPitfall(Codes.TizanidineCyp1a2Contraindication));
        Assert.True(a.HasPitfall(Codes.TizanidineCyp1a2Avoid));
    }

    [Fact]
    public void A_proposed_tizanidine_order_with_an_avoid_list_drug_gets_the_pitfall()
    {
        var a = Engine.Assess(KnownUmn() with { Medications = [Draft("tizanidine"), Med("amiodarone")] });
        Assert.True(a.HasPitfall(Codes.TizanidineCyp1a2Avoid));
    }

    [Fact]
    public void The_avoid_list_without_tizanidine_or_long_stopped_says_nothing()
    {
        Assert.False(Engine.Assess(KnownUmn() with { Medications = [Med("baclofen"), Med("famotidine")] }).HasPitfall(Codes.TizanidineCyp1a2Avoid));
        var stopped = Engine.Assess(OnTizanidine(Stopped("famotidine", 30)));
        Assert.False(stopped.HasPitfall(Codes.TizanidineCyp1a2Avoid));
        Assert.Null(stopped.Outcome("SAFE-TIZ-CYP1A2"));
    }

    [Fact]
    public void The_avoid_pitfall_cites_the_tizanidine_label_and_never_says_contraindicated()
    {
        var entry = Engine.Kb.RecommendationsByCode[Codes.TizanidineCyp1a2Avoid];
        Assert.True(entry.IsPitfall);
        Assert.Equal(["TIZ-LABEL"], entry.Citations);
        Assert.DoesNotContain("contraindicated with", entry.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("contraindicat", entry.Title, StringComparison.OrdinalIgnoreCase);
    }
}
