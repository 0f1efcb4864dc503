namespace ClonusCds.Api.CdsHooks;

/// <summary>One CDS Service entry in discovery.</summary>
public sealed record CdsServiceDefinition(
    string Id, string Hook, string Title, string Description, IReadOnlyDictionary<string, string> Prefetch, string UsageRequirements);

/// <summary>
/// The CDS Services this server hosts: one id per hook in discovery (clients that key services by
/// id must not collide). The first release's shared order id, <see cref="DeprecatedOrderCheckId"/>,
/// still answers both order hooks for one release but is no longer listed (docs/cds-hooks.md).
/// </summary>
public static class CdsServiceCatalog
{
    /// <summary>Chart-open triage.</summary>
    public const string PatientViewId = "clonus-patient-view";
    /// <summary>Draft-order safety check at order-select.</summary>
    public const string OrderSelectId = "clonus-order-select";
    /// <summary>Draft-order safety check at order-sign.</summary>
    public const string OrderSignId = "clonus-order-sign";
    /// <summary>
    /// Deprecated: the first release served order-select and order-sign under this one id. It still
    /// answers both hooks (the request's <c>hook</c> picks the service) until the next major
    /// release, and is not listed in discovery.
    /// </summary>
    public const string DeprecatedOrderCheckId = "clonus-order-check";

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
        /// <summary>Medication statements (home and reported medicines), active and stopped.</summary>
        public const string MedicationStatements = "medicationStatements";
        /// <summary>Recent vital signs.</summary>
        public const string Vitals = "vitals";
        /// <summary>Recent labs (renal function, CK, lithium) and pregnancy status.</summary>
        public const string Labs = "labs";
        /// <summary>Recent clonus and Hunter examination findings.</summary>
        public const string Findings = "findings";
        /// <summary>Recent examination observations (category exam), for findings under local codes.</summary>
        public const string Exam = "exam";
    }

    /// <summary>
    /// Keys the services can answer without: when neither sent nor fetchable, the cards say what
    /// could not be seen (home medicines; findings under local codes) instead of a 412.
    /// </summary>
    public static IReadOnlySet<string> SupplementaryKeys { get; } = new HashSet<string>(StringComparer.Ordinal) { Keys.MedicationStatements, Keys.Exam };

    private const string Loinc = "http://loinc.org|";
    private const string Sct = "http://snomed.info/sct|";

    /// <summary>
    /// LOINC codes for an estimated GFR per 1.73 m² in common use (MDRD, CKD-EPI 2009 with and
    /// without race terms, CKD-EPI 2021 creatinine and creatinine–cystatin C, cystatin C, and
    /// method-unspecified codes; the VSAC eGFR value set 2.16.840.1.113883.17.4077.3.2029 and the
    /// CKD-EPI 2021 codes). Creatinine clearance (Cockcroft–Gault) is not an eGFR and is not read.
    /// </summary>
    public static IReadOnlyList<string> EgfrLoincCodes { get; } =
    [
        "98979-8", "98980-6", "62238-1", "88293-6", "88294-4", "94677-2", "33914-3", "48642-3", "48643-1", "50044-7",
        "70969-1", "77147-7", "69405-9", "45066-8", "50210-4", "50384-7", "76633-7",
    ];

    /// <summary>
    /// LOINC codes for serum, plasma or blood creatinine: mass concentration (mg/dL: 2160-0,
    /// 38483-4) and substance concentration (µmol/L: 14682-9, 59826-8, 77140-2; VSAC creatinine
    /// value set 2.16.840.1.113883.3.666.5.2364).
    /// </summary>
    public static IReadOnlyList<string> CreatinineLoincCodes { get; } = ["2160-0", "38483-4", "14682-9", "59826-8", "77140-2"];

    /// <summary>Creatinine codes whose property is a substance concentration (µmol/L when no unit is given).</summary>
    public static IReadOnlySet<string> CreatinineMolarLoincCodes { get; } = new HashSet<string>(StringComparer.Ordinal) { "14682-9", "59826-8", "77140-2" };

    /// <summary>LOINC codes asked for under the labs key: eGFR, creatinine, CK, lithium, pregnancy status (82810-3; 11449-6 as C-CDA and older records carry it).</summary>
    public static IReadOnlyList<string> LabLoincCodes { get; } =
        [.. EgfrLoincCodes, .. CreatinineLoincCodes, Fhir.FhirPatientMapper.LoincCk, Fhir.FhirPatientMapper.LoincLithium,
            Fhir.FhirPatientMapper.LoincPregnancy, Fhir.FhirPatientMapper.LoincPregnancyReported];

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
        [Keys.MedicationStatements] = "MedicationStatement?patient={{context.patientId}}&status=active,intended,on-hold,unknown,stopped,completed&_count=100",
        [Keys.Vitals] = "Observation?patient={{context.patientId}}&category=vital-signs&_sort=-date&_count=50",
        [Keys.Labs] = "Observation?patient={{context.patientId}}&code=" + string.Join(',', LabLoincCodes.Select(c => Loinc + c)) + "&_sort=-date&_count=50",
        [Keys.Findings] = "Observation?patient={{context.patientId}}&code=" + string.Join(',', FindingSnomedCodes.Select(c => Sct + c)) + "&_sort=-date&_count=50",
        [Keys.Exam] = "Observation?patient={{context.patientId}}&category=http://terminology.hl7.org/CodeSystem/observation-category|exam&_sort=-date&_count=50",
    };

    private const string Usage =
        "Needs every prefetch key except medicationStatements and exam, or fhirServer with fhirAuthorization so the service can fetch what is missing; otherwise it answers 412. " +
        "medicationStatements (home and reported medicines) and exam (findings under local codes) are supplementary: when neither sent nor fetchable, the cards say what could not be seen. " +
        "The Patient in prefetch must be context.patientId (else 400). " +
        "Calls must carry a CDS Hooks JWT from a trusted issuer (see docs/cds-hooks.md). Decision support for clinicians; not a substitute for clinical judgement.";

    /// <summary>Every service, in discovery order.</summary>
    public static IReadOnlyList<CdsServiceDefinition> Services { get; } =
    [
        new(PatientViewId, PatientView, "ClonusCds: clonus triage",
            "When a chart is opened: if the record shows clonus, triages its cause (serotonin toxicity and its look-alikes, upper-motor-neuron lesion, seizure mimic, metabolic, infant, normal variant) with cited first-line, adjunct, monitoring and work-up advice; also flags dangerous combinations already on the medication list. Returns no cards when there is nothing to say.",
            Prefetch, Usage),
        new(OrderSelectId, OrderSelect, "ClonusCds: draft-order check for clonus",
            "When a medication is selected: checks the draft order against the patient's medications, conditions, renal function and clonus findings (second serotonergic drug, MAO inhibitors such as linezolid, tizanidine for clonus or with fluvoxamine/ciprofloxacin, antiepileptic for startle-induced attacks without EEG, baclofen with severe renal impairment) and suggests removing a risky order.",
            Prefetch, Usage),
        new(OrderSignId, OrderSign, "ClonusCds: draft-order check for clonus at signing",
            "When orders are signed: the same checks as at order-select, over every draft order being signed; cards replace those returned at order-select.",
            Prefetch, Usage),
    ];

    /// <summary>True when a service with that id is answered (listed, or the deprecated shared order id).</summary>
    public static bool Exists(string id) => id == DeprecatedOrderCheckId || Services.Any(s => s.Id == id);

    /// <summary>The definition that answers that id for that hook, if any (the deprecated id answers both order hooks).</summary>
    public static CdsServiceDefinition? Find(string id, string hook) =>
        Services.FirstOrDefault(s => (s.Id == id || (id == DeprecatedOrderCheckId && s.Hook is OrderSelect or OrderSign)) && s.Hook == hook);

    /// <summary>Hooks answered under that id.</summary>
    public static IEnumerable<string> HooksOf(string id) => id == DeprecatedOrderCheckId
        ? [OrderSelect, OrderSign]
        : Services.Where(s => s.Id == id).Select(s => s.Hook);
}
