namespace ClonusCds.Core.Vocabulary;

/// <summary>The drug roles the rules look for (drugs.json "roles").</summary>
public static class DrugRoles
{
    /// <summary>Serotonergic agent (Hunter criteria apply in its presence).</summary>
    public const string Serotonergic = "serotonergic";
    /// <summary>MAO inhibition (incl. linezolid, methylene blue).</summary>
    public const string Maoi = "maoi";
    /// <summary>Dopamine antagonist (NMS precipitant); also the VMAT2 inhibitors, which deplete dopamine.</summary>
    public const string DopamineAntagonist = "dopamine_antagonist";
    /// <summary>Dopaminergic (levodopa, dopamine agonists, amantadine, COMT and MAO-B inhibitors): withdrawal causes the parkinsonism-hyperpyrexia syndrome.</summary>
    public const string Dopaminergic = "dopaminergic";
    /// <summary>Anticholinergic.</summary>
    public const string Anticholinergic = "anticholinergic";
    /// <summary>Volatile anaesthetic or succinylcholine.</summary>
    public const string MhTrigger = "mh_trigger";
    /// <summary>Lithium.</summary>
    public const string Lithium = "lithium";
    /// <summary>Baclofen.</summary>
    public const string Baclofen = "baclofen";
    /// <summary>Tizanidine.</summary>
    public const string Tizanidine = "tizanidine";
    /// <summary>Potent CYP1A2 inhibitor contraindicated with tizanidine.</summary>
    public const string Cyp1a2Inhibitor = "cyp1a2_inhibitor";
    /// <summary>
    /// Other CYP1A2 inhibitor the tizanidine label says to avoid with tizanidine (zileuton, fluoroquinolones
    /// other than ciprofloxacin, amiodarone, mexiletine, propafenone, verapamil, cimetidine, famotidine,
    /// oral contraceptives, acyclovir, ticlopidine): a pitfall, not a contraindication. [TIZ-LABEL]
    /// </summary>
    public const string Cyp1a2InhibitorAvoid = "cyp1a2_inhibitor_avoid";
    /// <summary>Antiepileptic.</summary>
    public const string Antiepileptic = "antiepileptic";
    /// <summary>Benzodiazepine.</summary>
    public const string Benzodiazepine = "benzodiazepine";
    /// <summary>Raises lithium levels (thiazide, NSAID, ACE inhibitor, angiotensin receptor blocker).</summary>
    public const string RaisesLithiumLevel = "raises_lithium_level";
    /// <summary>Antipyretic.</summary>
    public const string Antipyretic = "antipyretic";
    /// <summary>Non-depolarising neuromuscular blocker.</summary>
    public const string NeuromuscularBlockerNondepolarizing = "neuromuscular_blocker_nondepolarizing";
    /// <summary>Serotonin antagonist (cyproheptadine).</summary>
    public const string SerotoninAntagonist = "serotonin_antagonist";

    /// <summary>Every role above.</summary>
    public static IReadOnlyList<string> All { get; } = KnowledgeBase.ConstantList.Of(typeof(DrugRoles));
}
