using System.Text.Json;
using ClonusCds.Api.Audit;
using ClonusCds.Api.CdsHooks.Cards;
using ClonusCds.Api.CdsHooks.Fhir;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Api.Infrastructure.Telemetry;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using ClonusCds.Core.Vocabulary;
using R4 = Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.CdsHooks;

/// <summary>
/// One CDS Service call: read the request, gather the FHIR data (prefetch, else the client's FHIR
/// server, else 412), map it to a patient context, run the triage engine, and turn the result into
/// cards. CDS Hooks is an adapter here: every clinical decision is the engine's.
/// </summary>
internal sealed partial class CdsHookHandler(
    TriageEngine engine,
    FhirPatientMapper mapper,
    FhirFetcher fetcher,
    CardBuilder cards,
    AuditTrail audit,
    ClonusMetrics metrics,
    IOptions<CdsHooksOptions> options,
    ILogger<CdsHookHandler> logger)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    private readonly CdsHooksOptions _options = options.Value;
    private readonly ClinicalKnowledgeBase _kb = engine.KnowledgeBase;

    public async Task<IResult> HandleAsync(string id, HttpContext http, CancellationToken ct)
    {
        if (!CdsServiceCatalog.Exists(id))
        {
            return TypedResults.Problem(statusCode: 404, title: "Unknown CDS Service",
                detail: $"No CDS Service with that id. GET {CdsHooksApi.Prefix} lists the services.");
        }

        if (http.Request.ContentType is not { } contentType || !IsJson(contentType))
        {
            return TypedResults.Problem(statusCode: 415, title: "Unsupported media type", detail: "Send the CDS Hooks request as application/json.");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, DocumentOptions, ct);
        }
        catch (JsonException ex)
        {
            var (field, message) = JsonErrorDescriber.Describe(ex, typeof(JsonElement));
            return Invalid(new Dictionary<string, string[]> { [string.IsNullOrEmpty(field) ? "$" : field] = [message] });
        }
        catch (InvalidOperationException)
        {
            // A property name that is not valid UTF-16 (a lone surrogate escape), met while the
            // parser checks names for duplicates.
            return Invalid(new Dictionary<string, string[]> { ["$"] = ["A property name is not valid text (invalid UTF-8 or a lone surrogate escape)."] });
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem(statusCode: 413, title: "Request body too large");
        }

        using (document)
        {
            if (JsonText.FindInvalid(document.RootElement) is { } badText)
            {
                return Invalid(new Dictionary<string, string[]> { [badText] = ["Not valid text: invalid UTF-8 or a lone surrogate escape."] });
            }

            var errors = new Dictionary<string, string[]>();
            var hookHint = CdsServiceCatalog.HooksOf(id).Count() == 1 ? CdsServiceCatalog.HooksOf(id).First() : null;
            var request = CdsRequest.Parse(document.RootElement, hookHint, errors);
            if (request is null)
            {
                return Invalid(errors);
            }

            var service = CdsServiceCatalog.Find(id, request.Hook);
            if (service is null)
            {
                return Invalid(new Dictionary<string, string[]>
                {
                    ["hook"] = [$"Service {id} does not serve hook \"{Cards.Markdown.Shorten(request.Hook, 64)}\"; it serves: {string.Join(", ", CdsServiceCatalog.HooksOf(id))}."],
                });
            }

            var (input, missing, prefetchErrors) = await GatherAsync(service, request, ct);
            if (prefetchErrors.Count > 0)
            {
                return Invalid(prefetchErrors);
            }

            if (missing is not null)
            {
                LogPreconditionFailed(logger, id, request.Hook, missing.LogReason ?? missing.Reason, ProblemDetailsSetup.TraceId(http));
                return TypedResults.Problem(statusCode: 412, title: "Required FHIR data unavailable", detail: missing.Reason,
                    type: "https://tools.ietf.org/html/rfc9110#section-15.5.13",
                    extensions: new Dictionary<string, object?> { ["missingPrefetch"] = missing.Keys });
            }

            MappedRecord record;
            try
            {
                record = mapper.Map(input!, TimeSpan.FromHours(_options.EpisodeWindowHours));
            }
            catch (Hl7.Fhir.Validation.CodedValidationException ex)
            {
                // Defence in depth: data the deserializer accepted but a typed property refuses to
                // give (the SDK's promise for its NoOverflow mode, broken once already, see FhirResources).
                LogUnreadableFhir(logger, ex.ErrorCode);
                return Invalid(new Dictionary<string, string[]> { ["prefetch"] = ["Not valid FHIR R4: an element holds a value of the wrong type."] });
            }

            var baseUrl = BaseUrl(http);
            var backing = new List<Assessment>(2);
            var (result, assessment) = request.Hook == CdsServiceCatalog.PatientView
                ? PatientView(record, baseUrl)
                : Orders(record, baseUrl, backing);
            RecordAudit(http, id, request.Hook, record.Context, assessment, backing, result);

            http.Items[RequestLogging.EtiologyKey] = CardBuilder.Lower(assessment.Etiology.Primary);
            http.Items[RequestLogging.UrgencyKey] = CardBuilder.Lower(assessment.Urgency);
            metrics.AssessmentCompleted(
                CdsHooksApi.Prefix + "/{id}", CardBuilder.Lower(assessment.Etiology.Primary), CardBuilder.Lower(assessment.Urgency));
            http.Response.Headers.CacheControl = "no-store";
            if (logger.IsEnabled(LogLevel.Information))
            {
                var indicators = string.Join(",", result.Cards.Select(c => c.Indicator));
                LogAnswered(logger, id, request.Hook, result.Cards.Count, indicators, input!.Fetched, record.Drafts.Count);
            }

            return TypedResults.Json(result, CdsJson.Options);
        }
    }

    /// <summary>
    /// Queues the audit records of this call: the baseline assessment always (a call that showed no
    /// card was still answered), and any other assessment a returned card is based on (an order card
    /// assessed with a same-drug entry replaced). Codes are those shown on the cards.
    /// </summary>
    private void RecordAudit(HttpContext http, string id, string hook, PatientContext context, Assessment baseline,
        List<Assessment> backing, CdsResponse result)
    {
        if (!audit.Enabled)
        {
            return;
        }

        var shown = new Dictionary<Guid, HashSet<string>>();
        foreach (var card in result.Cards)
        {
            if (card.Extension is { } extension && extension.TryGetValue(CardBuilder.ExtensionKey, out var clonus))
            {
                if (!shown.TryGetValue(clonus.AssessmentId, out var codes))
                {
                    shown[clonus.AssessmentId] = codes = new HashSet<string>(StringComparer.Ordinal);
                }

                codes.UnionWith(clonus.Codes ?? []);
            }
        }

        foreach (var other in backing)
        {
            if (other.AssessmentId != baseline.AssessmentId && shown.TryGetValue(other.AssessmentId, out var codes))
            {
                audit.Record(http, other, context, id, hook, codes);
            }
        }

        // Last, so the request log line names the baseline assessment.
        audit.Record(http, baseline, context, id, hook, shown.GetValueOrDefault(baseline.AssessmentId) ?? NoCodes);
    }

    private static readonly HashSet<string> NoCodes = [];

    // ---------------------------------------------------------------- hooks

    private (CdsResponse, Assessment) PatientView(MappedRecord record, string baseUrl)
    {
        var assessment = engine.Assess(record.Context);
        var toxidrome = assessment.Etiology.Primary is Etiology.SerotoninToxicity or Etiology.OtherDrugToxicity && assessment.Urgency >= Urgency.Urgent;
        if (record.Context.Clonus?.Present == true || toxidrome)
        {
            return (new CdsResponse([CardBuilder.Triage(assessment, record, baseUrl)]), assessment);
        }

        return (new CdsResponse(cards.MedicationSafety(assessment, record, baseUrl).ToList()), assessment);
    }

    /// <summary>
    /// For each draft (the selected ones at order-select): the codes the order brings. Those are the
    /// codes of the assessment with the order that (a) belong to the order's drug roles (an
    /// antiepileptic draft and "no antiepileptic without EEG"), or (b) are pitfalls that appear
    /// only because of the order. A draft of a drug already taken replaces it (a renewal is not a
    /// second serotonergic drug).
    /// </summary>
    private (CdsResponse, Assessment) Orders(MappedRecord record, string baseUrl, List<Assessment> backing)
    {
        var meds = record.Context.Medications ?? [];
        var drugs = new List<DrugEntry>[meds.Count];
        var matches = new List<DrugMatch>(4);
        for (var i = 0; i < meds.Count; i++)
        {
            matches.Clear();
            _kb.DrugVocabulary.Match(meds[i].Rxcui, meds[i].Name, matches);
            drugs[i] = matches.Select(m => m.Drug).ToList();
        }

        var baseline = engine.Assess(record.Context);
        var result = new List<Card>();
        foreach (var draft in record.Drafts)
        {
            var own = drugs[draft.MedicationIndex];
            if (!draft.Selected)
            {
                continue;
            }

            if (own.Count == 0)
            {
                if (draft.Unidentified)
                {
                    result.Add(CardBuilder.Unchecked(draft, "the draft", [
                        "its drug could not be identified: the medicationReference resolved to no contained, bundled or fetchable Medication, so interactions, renal dosing and toxidrome checks were not done"],
                        baseline, record, baseUrl));
                }

                continue;
            }

            var sameDrug = Enumerable.Range(0, meds.Count)
                .Where(i => i != draft.MedicationIndex && meds[i].Status != MedicationStatus.Draft && drugs[i].Any(own.Contains))
                .ToHashSet();
            var with = sameDrug.Count == 0 ? baseline : engine.Assess(Without(record.Context, sameDrug));
            if (!ReferenceEquals(with, baseline))
            {
                backing.Add(with);
            }
            var without = engine.Assess(Without(record.Context, [draft.MedicationIndex]));
            var withoutCodes = CardBuilder.AllCodes(without);
            var roleCodes = own.SelectMany(d => d.Roles).SelectMany(OrderRoles.CodesFor).ToHashSet();
            var codes = CardBuilder.AllCodes(with)
                .Where(c => roleCodes.Contains(c) || (!withoutCodes.Contains(c) && _kb.RecommendationsByCode[c].IsPitfall))
                .ToList();
            if (codes.Count == 0)
            {
                if (UncheckedReasons(own, record, with) is { Count: > 0 } reasons)
                {
                    result.Add(CardBuilder.Unchecked(draft, own[0].Name, reasons, with, record, baseUrl));
                }

                continue;
            }

            var others = Others(meds, drugs, draft.MedicationIndex, sameDrug, own);
            result.Add(cards.Order(draft, own[0].Name, codes, with, record, baseUrl, others));
        }

        return (new CdsResponse(result), baseline);
    }

    /// <summary>
    /// Why a draft that raised nothing was not fully checked: baclofen while the engine could not
    /// establish the kidney function (it names <c>patient.egfr</c> under missing data: nothing renal
    /// in the record, a CKD condition without a stage, or a creatinine without the adult age the
    /// estimate needs); a drug that interacts through the medication list (serotonergic, MAO
    /// inhibitor, tizanidine or a CYP1A2 inhibitor) while part of that list could not be seen.
    /// </summary>
    private static List<string> UncheckedReasons(List<DrugEntry> own, MappedRecord record, Assessment with)
    {
        var reasons = new List<string>();
        if (own.Any(d => d.Roles.Contains(DrugRoles.Baclofen)) && with.MissingData.Any(m => m.Field == "patient.egfr"))
        {
            reasons.Add(record.KidneyFunctionUnseen
                ? "no kidney function in the record (eGFR, creatinine, CKD or dialysis): baclofen is renally cleared — check eGFR before dosing"
                : "the kidney function could not be established from the record (no eGFR; a CKD condition without a stage, or a creatinine without an adult age): baclofen is renally cleared — check eGFR before dosing");
        }

        if (record.MedicinesPartlySeen && own.Any(d => d.Roles.Any(r => r is DrugRoles.Serotonergic or DrugRoles.Maoi or DrugRoles.Tizanidine or DrugRoles.Cyp1a2Inhibitor)))
        {
            reasons.Add("part of the medication list could not be seen, so an interacting drug there (an MAO inhibitor or another serotonergic drug, tizanidine or a CYP1A2 inhibitor) was not checked");
        }

        return reasons;
    }

    /// <summary>The counterpart drugs named in an order card's summary.</summary>
    private static string? Others(IReadOnlyList<MedicationEntry> meds, List<DrugEntry>[] drugs, int draftIndex, HashSet<int> sameDrug, List<DrugEntry> own)
    {
        var role = own.Any(d => d.Roles.Contains(DrugRoles.Tizanidine)) ? DrugRoles.Cyp1a2Inhibitor
            : own.Any(d => d.Roles.Contains(DrugRoles.Cyp1a2Inhibitor)) && !own.Any(d => d.Roles.Contains(DrugRoles.Serotonergic)) ? DrugRoles.Tizanidine
            : own.Any(d => d.Roles.Contains(DrugRoles.Serotonergic)) ? DrugRoles.Serotonergic
            : null;
        if (role is null)
        {
            return null;
        }

        var names = Enumerable.Range(0, meds.Count)
            .Where(i => i != draftIndex && !sameDrug.Contains(i) && meds[i].Status != MedicationStatus.Stopped)
            .SelectMany(i => drugs[i])
            .Where(d => d.Roles.Contains(role) && !own.Contains(d))
            .Select(d => d.Name)
            .Distinct()
            .ToList();
        return names.Count switch
        {
            0 => null,
            1 => names[0],
            2 => $"{names[0]} and {names[1]}",
            _ => $"{names[0]}, {names[1]} and {names.Count - 2} more",
        };
    }

    private static PatientContext Without(PatientContext context, IReadOnlyCollection<int> indices) => context with
    {
        Medications = (context.Medications ?? []).Where((_, i) => !indices.Contains(i)).ToList(),
    };

    // ---------------------------------------------------------------- data

    /// <summary>Keys that could not be had: <paramref name="Reason"/> goes to the caller, <paramref name="LogReason"/> (specific, no PHI) only to the log.</summary>
    private sealed record Missing(IReadOnlyList<string> Keys, string Reason, string? LogReason = null);

    /// <summary>At most this many distinct Medication references are read from the FHIR server per call.</summary>
    internal const int MaxReferenceFetches = 20;

    private async Task<(FhirInput? Input, Missing? Missing, Dictionary<string, string[]> Errors)> GatherAsync(
        CdsServiceDefinition service, CdsRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var data = new Dictionary<string, PrefetchData>();
        var toFetch = new List<string>();
        foreach (var key in service.Prefetch.Keys)
        {
            if (request.Prefetch is { } prefetch && prefetch.TryGetProperty(key, out var value))
            {
                // Null (with the reason, by path, in errors) when the value is not FHIR R4 the SDK can read.
                if (PrefetchData.Read(key, value, PrefetchOrigin.Prefetched, errors) is { } read)
                {
                    data[key] = read;
                }
            }
            else
            {
                toFetch.Add(key);
            }
        }

        // The Patient sent must be the patient in context: data about someone else is a client error, not "no data".
        if (data.GetValueOrDefault(CdsServiceCatalog.Keys.Patient)?.Resources.OfType<R4.Patient>().FirstOrDefault() is { } sent
            && FhirResources.Text(sent.Id) is { } sentId && sentId != request.PatientId)
        {
            errors["prefetch.patient.id"] = [$"prefetch.patient is Patient/{Cards.Markdown.Shorten(sentId, 64)}, not context.patientId ({Cards.Markdown.Shorten(request.PatientId, 64)}); the prefetch must be about the patient in context."];
        }

        if (errors.Count > 0)
        {
            return (null, null, errors);
        }

        var canFetch = request.FhirServer is { } server && request.FhirAuthorization is not null && fetcher.Allowed(server);
        var unseen = new List<string>();
        if (!canFetch)
        {
            // Supplementary keys are not worth a 412: the cards say they could not be seen.
            unseen.AddRange(toFetch.Where(CdsServiceCatalog.SupplementaryKeys.Contains));
            toFetch.RemoveAll(CdsServiceCatalog.SupplementaryKeys.Contains);
        }

        if (toFetch.Count > 0 && !canFetch)
        {
            var why = request.FhirServer is null || request.FhirAuthorization is null
                ? "these prefetch keys were not sent and no fhirServer with fhirAuthorization was given to fetch them"
                : "these prefetch keys were not sent and the fhirServer is not one this service may call (https, on the configured allow-list)";
            return (null, new Missing(toFetch, $"Missing prefetch: {string.Join(", ", toFetch)}: {why}."), errors);
        }

        var fetched = 0;
        FhirReferenceResolver? resolver = null;
        try
        {
            if (canFetch)
            {
                var token = request.FhirAuthorization!.AccessToken;
                var tasks = toFetch.Select(key => FetchKeyAsync(service, request, token, key, ct)).ToList();
                foreach (var done in await Task.WhenAll(tasks))
                {
                    data[done.Key] = done;
                    fetched++;
                }

                // Prefetched searchsets with further pages: read the rest from the server.
                foreach (var page in data.Values.Where(d => d.Origin == PrefetchOrigin.Prefetched && d.Next is not null))
                {
                    await fetcher.FollowAsync(request.FhirServer!, token, page, ct);
                    page.Incomplete = page.Next is not null;
                }

                // References no Bundle resolves are read now; without a server the mapper builds its own resolver.
                resolver = FhirReferenceResolver.For(Input(request, data, unseen, fetched, null));
                await FetchReferencesAsync(request, resolver, token, ct);
            }
        }
        catch (FhirFetchException ex)
        {
            // One generic detail to the caller: telling unreachable from timeout from an HTTP status
            // would make the service an oracle for probing the network. The cause goes to the log.
            return (null, new Missing(toFetch, $"Missing prefetch: {string.Join(", ", toFetch)}; the FHIR server could not be read.",
                $"fetching from fhirServer failed: {ex.Message}"), errors);
        }

        return (Input(request, data, unseen, fetched, resolver), null, errors);
    }

    /// <summary>
    /// Fetches one key. A supplementary key the server cannot answer is recorded as failed (its data
    /// unknown, said on the card), not a 412: the required keys decide whether the call can go on.
    /// </summary>
    private async Task<PrefetchData> FetchKeyAsync(CdsServiceDefinition service, CdsRequest request, string token, string key, CancellationToken ct)
    {
        try
        {
            return await fetcher.FetchAsync(request.FhirServer!, token, key, Fill(service.Prefetch[key], request.Context), ct);
        }
        catch (FhirFetchException ex) when (CdsServiceCatalog.SupplementaryKeys.Contains(key))
        {
            LogSupplementaryUnread(logger, key, ex.Message);
            return new PrefetchData(key, PrefetchOrigin.Fetched) { Failed = true };
        }
    }

    /// <summary>
    /// Reads the Medications that no Bundle of the call holds from the client's FHIR server (at
    /// most <see cref="MaxReferenceFetches"/>, within the fetch confinement). A reference that
    /// cannot be read stays unresolved: its drug is reported as unidentified, never as absent, and
    /// one failure does not fail the call.
    /// </summary>
    private async Task FetchReferencesAsync(CdsRequest request, FhirReferenceResolver resolver, string token, CancellationToken ct)
    {
        var references = resolver.UnresolvedMedications(MaxReferenceFetches);
        if (references.Count == 0)
        {
            return;
        }

        var reads = references.Select(async reference =>
        {
            try
            {
                return (reference, await fetcher.ReadAsync(request.FhirServer!, token, reference, ct));
            }
            catch (FhirFetchException ex)
            {
                LogReferenceUnread(logger, ex.Message);
                return (reference, (R4.Resource?)null);
            }
        }).ToList();
        foreach (var (reference, resource) in await Task.WhenAll(reads))
        {
            if (resource is R4.Medication r)
            {
                resolver.AddFetched(reference, r);
            }
        }
    }

    private static FhirInput Input(CdsRequest request, Dictionary<string, PrefetchData> data, IReadOnlyList<string> unseen, int fetched, FhirReferenceResolver? resolver) =>
        new(request.PatientId,
            data.GetValueOrDefault(CdsServiceCatalog.Keys.Patient),
            data.GetValueOrDefault(CdsServiceCatalog.Keys.Conditions),
            data.GetValueOrDefault(CdsServiceCatalog.Keys.Medications),
            [.. new[] { CdsServiceCatalog.Keys.Vitals, CdsServiceCatalog.Keys.Labs, CdsServiceCatalog.Keys.Findings, CdsServiceCatalog.Keys.Exam }
                .Select(k => data.GetValueOrDefault(k)).OfType<PrefetchData>()],
            request.DraftOrders,
            request.Selections)
        {
            Fetched = fetched,
            MedicationStatements = data.GetValueOrDefault(CdsServiceCatalog.Keys.MedicationStatements),
            DraftFullUrls = request.DraftFullUrls,
            Unseen = unseen,
            Resolver = resolver,
        };

    /// <summary>Replaces {{context.x}} tokens with the hook context's root-level primitive values.</summary>
    internal static string Fill(string template, JsonElement context)
    {
        var result = template;
        foreach (var property in context.EnumerateObject())
        {
            if (property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                result = result.Replace("{{context." + property.Name + "}}", Uri.EscapeDataString(property.Value.ToString()), StringComparison.Ordinal);
            }
        }

        return result;
    }

    private string BaseUrl(HttpContext http) =>
        string.IsNullOrWhiteSpace(_options.PublicBaseUrl)
            ? $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}"
            : _options.PublicBaseUrl.TrimEnd('/');

    private static bool IsJson(string contentType) =>
        contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("application/fhir+json", StringComparison.OrdinalIgnoreCase);

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The CDS Hooks request is not valid",
            detail: string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value[0]}")), type: ProblemDetailsSetup.TypeFor(400));

    [LoggerMessage(EventId = 30, Level = LogLevel.Information,
        Message = "CDS service {ServiceId} ({Hook}) answered {CardCount} card(s) [{Indicators}]; fetched {FetchedKeys} prefetch key(s); {DraftCount} draft order(s)")]
    private static partial void LogAnswered(ILogger logger, string serviceId, string hook, int cardCount, string indicators, int fetchedKeys, int draftCount);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "CDS service could not read a referenced Medication from fhirServer: {Reason}")]
    private static partial void LogReferenceUnread(ILogger logger, string reason);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "CDS service could not read supplementary prefetch key {Key} from fhirServer: {Reason}")]
    private static partial void LogSupplementaryUnread(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "CDS service: FHIR data accepted by the deserializer could not be read ({ErrorCode}); answered 400")]
    private static partial void LogUnreadableFhir(ILogger logger, string errorCode);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "CDS service {ServiceId} ({Hook}) answered 412: {Reason} (trace {TraceId})")]
    private static partial void LogPreconditionFailed(ILogger logger, string serviceId, string hook, string reason, string traceId);
}
