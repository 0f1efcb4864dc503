namespace ClonusCds.Api.CdsHooks;

/// <summary>One CDS Service entry in discovery.</summary>
public sealed record CdsServiceDefinition(
    string Id, string Hook, string Title, string Description, IReadOnlyDictionary<string, string> Prefetch, string UsageRequirements);

/// <summary>
/// The CDS Services this server hosts. One id serves both order hooks (the spec allows the same id
/// for different hooks, so order-sign cards replace order-select cards: "update stale guidance").
/// </summary>
public static class CdsServiceCatalog
{
    /// <summary>Chart-open triage.</summary>
    public const string PatientViewId = "clonus-patient-view";
    /// <summary>Draft-order safety check (order-select and order-sign).</summary>
    public const string OrderCheckId = "clonus-order-check";

    /// <summary>patient-view hook.</summary>
    public const string PatientView = "patient-view";
    /// <summary>order-select hook.</summary>
    public const string OrderSelect = "order-select";
    /// <summary>order-sign hook.</summary>
    public const string OrderSign = "order-sign";

    /// <summary>Prefetch keys.</summary>
    public static class Keys
    {
        /// <summary>The Patient (read).</summary>
        public const string Patient = "patient";
        /// <summary>Active conditions.</summary>
        public const string Conditions = "conditions";
        /// <summary>Active medication requests.</summary>
        public const string Medications = "medications";
        /// <summary>Recent vital signs.</summary>
        public const string Vitals = "vitals";
        /// <summary>Recent labs (renal function, CK, lithium) and pregnancy status.</summary>
        public const string Labs = "labs";
        /// <summary>Recent clonus and Hunter examination findings.</summary>
        public const string Findings = "findings";
    }

    private const string Loinc = "http://loinc.org|";
    private const string Sct = "http://snomed.info/sct|";

    /// <summary>LOINC codes asked for under the labs key.</summary>
    public static IReadOnlyList<string> LabLoincCodes { get; } =
        ["33914-3", "62238-1", "98979-8", "2160-0", "2157-6", "14334-7", "82810-3"];

    /// <summary>SNOMED CT codes asked for under the findings key.</summary>
    public static IReadOnlyList<string> FindingSnomedCodes { get; } =
        ["36649002", "39055007", "24199005", "52613005", "26079004", "86854008"];

    /// <summary>
    /// Prefetch templates: only instance reads, type searches with patient references, token
    /// equality, _sort and _count (the spec's "prefetch query restrictions").
    /// </summary>
    public static IReadOnlyDictionary<string, string> Prefetch { get; } = new Dictionary<string, string>
    {
        [Keys.Patient] = "Patient/{{context.patientId}}",
        [Keys.Conditions] = "Condition?patient={{context.patientId}}&clinical-status=active",
        [Keys.Medications] = "MedicationRequest?patient={{context.patientId}}&status=active",
        [Keys.Vitals] = "Observation?patient={{context.patientId}}&category=vital-signs&_sort=-date&_count=50",
        [Keys.Labs] = "Observation?patient={{context.patientId}}&code=" + string.Join(',', LabLoincCodes.Select(c => Loinc + c)) + "&_sort=-date&_count=50",
        [Keys.Findings] = "Observation?patient={{context.patientId}}&code=" + string.Join(',', FindingSnomedCodes.Select(c => Sct + c)) + "&_sort=-date&_count=50",
    };

    private const string Usage =
        "Needs every prefetch key, or fhirServer with fhirAuthorization so the service can fetch what is missing; otherwise it answers 412. " +
        "Calls must carry a CDS Hooks JWT from a trusted issuer (see docs/cds-hooks.md). Decision support for clinicians; not a substitute for clinical judgement.";

    /// <summary>Every service, in discovery order.</summary>
    public static IReadOnlyList<CdsServiceDefinition> Services { get; } =
    [
        new(PatientViewId, PatientView, "ClonusCds: clonus triage",
            "When a chart is opened: if the record shows clonus, triages its cause (serotonin toxicity and its look-alikes, upper-motor-neuron lesion, seizure mimic, metabolic, infant, normal variant) with cited first-line, adjunct, monitoring and work-up advice; also flags dangerous combinations already on the medication list. Returns no cards when there is nothing to say.",
            Prefetch, Usage),
        new(OrderCheckId, OrderSelect, "ClonusCds: draft-order check for clonus",
            "When a medication is selected: checks the draft order against the patient's medications, conditions, renal function and clonus findings (second serotonergic drug, MAO inhibitors such as linezolid, tizanidine for clonus or with fluvoxamine/ciprofloxacin, antiepileptic for startle-induced attacks without EEG, baclofen with severe renal impairment) and suggests removing a risky order.",
            Prefetch, Usage),
        new(OrderCheckId, OrderSign, "ClonusCds: draft-order check for clonus",
            "When orders are signed: the same checks as at order-select, over every draft order being signed; cards replace those returned at order-select.",
            Prefetch, Usage),
    ];

    /// <summary>True when a service with that id exists.</summary>
    public static bool Exists(string id) => Services.Any(s => s.Id == id);

    /// <summary>The definition of that id for that hook, if hosted.</summary>
    public static CdsServiceDefinition? Find(string id, string hook) => Services.FirstOrDefault(s => s.Id == id && s.Hook == hook);

    /// <summary>Hooks served under that id.</summary>
    public static IEnumerable<string> HooksOf(string id) => Services.Where(s => s.Id == id).Select(s => s.Hook);
}
