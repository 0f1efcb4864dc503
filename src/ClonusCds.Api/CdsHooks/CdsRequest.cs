using System.Text.Json;
using ClonusCds.Api.CdsHooks.Fhir;
using R4 = Hl7.Fhir.Model;

namespace ClonusCds.Api.CdsHooks;

/// <summary>fhirAuthorization: the bearer token the client grants for its FHIR server.</summary>
internal sealed record FhirAuthorization(string AccessToken, string Scope, string Subject);

/// <summary>A parsed CDS Hooks service request. Unknown members (including <c>extension</c>) are ignored.</summary>
internal sealed record CdsRequest(
    string Hook,
    string HookInstance,
    Uri? FhirServer,
    FhirAuthorization? FhirAuthorization,
    JsonElement Context,
    string PatientId,
    JsonElement? Prefetch,
    IReadOnlyList<R4.Resource> DraftOrders,
    IReadOnlySet<string>? Selections)
{
    /// <summary>The <c>fullUrl</c> of each draftOrders entry (same order as <see cref="DraftOrders"/>), for references between entries.</summary>
    public IReadOnlyList<string?> DraftFullUrls { get; init; } = [];

    /// <summary>
    /// Reads the request per CDS Hooks 2.0 "Calling a CDS Service" and the hook's context table.
    /// Errors are keyed by JSON path; any error means 400.
    /// </summary>
    public static CdsRequest? Parse(JsonElement root, string? serviceHookHint, Dictionary<string, string[]> errors)
    {
        void Error(string path, string message) => errors[path] = [message];

        if (root.ValueKind != JsonValueKind.Object)
        {
            Error("$", "The request body must be a JSON object.");
            return null;
        }

        var hook = RequiredString(root, "hook", errors);
        var hookInstance = RequiredString(root, "hookInstance", errors);
        if (hookInstance is { Length: > 200 })
        {
            Error("hookInstance", "hookInstance must be at most 200 characters (a UUID).");
        }

        Uri? fhirServer = null;
        if (root.TryGetProperty("fhirServer", out var server))
        {
            if (server.ValueKind != JsonValueKind.String || !Uri.TryCreate(server.GetString(), UriKind.Absolute, out fhirServer)
                || (fhirServer.Scheme != Uri.UriSchemeHttps && fhirServer.Scheme != Uri.UriSchemeHttp))
            {
                Error("fhirServer", "fhirServer must be an absolute http(s) URL (https when production data is exchanged).");
                fhirServer = null;
            }
        }

        FhirAuthorization? authorization = null;
        if (root.TryGetProperty("fhirAuthorization", out var auth))
        {
            authorization = Authorization(auth, errors);
            if (!root.TryGetProperty("fhirServer", out _))
            {
                Error("fhirServer", "fhirServer is required when fhirAuthorization is provided.");
            }
        }

        JsonElement? prefetch = null;
        if (root.TryGetProperty("prefetch", out var p))
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                Error("prefetch", "prefetch must be an object of prefetch keys to FHIR resources.");
            }
            else
            {
                prefetch = p;
            }
        }

        string? patientId = null;
        var drafts = new List<R4.Resource>();
        var draftUrls = new List<string?>();
        HashSet<string>? selections = null;
        if (!root.TryGetProperty("context", out var context) || context.ValueKind != JsonValueKind.Object)
        {
            Error("context", "context is required and must be an object.");
        }
        else
        {
            patientId = RequiredString(context, "patientId", errors, "context.");
            if (patientId is { Length: > 64 })
            {
                Error("context.patientId", "context.patientId must be a FHIR id (at most 64 characters).");
            }

            var effectiveHook = hook ?? serviceHookHint;
            if (effectiveHook is CdsServiceCatalog.OrderSelect or CdsServiceCatalog.OrderSign)
            {
                Drafts(context, drafts, draftUrls, errors);
            }

            if (effectiveHook == CdsServiceCatalog.OrderSelect)
            {
                selections = ReadSelections(context, errors);
            }
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new CdsRequest(hook!, hookInstance!, fhirServer, authorization, context, patientId!, prefetch, drafts, selections) { DraftFullUrls = draftUrls };
    }

    private static string? RequiredString(JsonElement obj, string name, Dictionary<string, string[]> errors, string prefix = "")
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors[prefix + name] = [$"{prefix}{name} is required."];
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors[prefix + name] = [$"{prefix}{name} must be a non-empty string."];
            return null;
        }

        return value.GetString();
    }

    private static FhirAuthorization? Authorization(JsonElement auth, Dictionary<string, string[]> errors)
    {
        if (auth.ValueKind != JsonValueKind.Object)
        {
            errors["fhirAuthorization"] = ["fhirAuthorization must be an object."];
            return null;
        }

        var token = RequiredString(auth, "access_token", errors, "fhirAuthorization.");
        // RFC 6750 b64token characters only: the token goes into an Authorization header.
        if (token is not null && (token.Length > 8192 || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/' or '=')))
        {
            errors["fhirAuthorization.access_token"] = ["fhirAuthorization.access_token must be a bearer token (letters, digits and -._~+/=, at most 8 KB)."];
            token = null;
        }
        var type = RequiredString(auth, "token_type", errors, "fhirAuthorization.");
        if (type is not null && !string.Equals(type, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            errors["fhirAuthorization.token_type"] = ["fhirAuthorization.token_type must be \"Bearer\"."];
        }

        if (!auth.TryGetProperty("expires_in", out var expires) || expires.ValueKind != JsonValueKind.Number || !expires.TryGetInt64(out var seconds) || seconds < 0)
        {
            errors["fhirAuthorization.expires_in"] = ["fhirAuthorization.expires_in is required: the token lifetime in seconds (an integer)."];
        }

        var scope = RequiredString(auth, "scope", errors, "fhirAuthorization.");
        var subject = RequiredString(auth, "subject", errors, "fhirAuthorization.");
        return token is null || scope is null || subject is null ? null : new FhirAuthorization(token, scope, subject);
    }

    private static void Drafts(JsonElement context, List<R4.Resource> drafts, List<string?> fullUrls, Dictionary<string, string[]> errors)
    {
        if (!context.TryGetProperty("draftOrders", out var bundle) || bundle.ValueKind == JsonValueKind.Null)
        {
            errors["context.draftOrders"] = ["context.draftOrders is required for this hook: a FHIR Bundle of the draft orders."];
            return;
        }

        if (bundle.ValueKind != JsonValueKind.Object || bundle.TryGetProperty("resourceType", out var type) is false
            || type.ValueKind != JsonValueKind.String || type.GetString() != "Bundle")
        {
            errors["context.draftOrders"] = ["context.draftOrders must be a FHIR Bundle (resourceType \"Bundle\")."];
            return;
        }

        if (bundle.TryGetProperty("entry", out var entries) && entries.ValueKind != JsonValueKind.Array)
        {
            errors["context.draftOrders.entry"] = ["context.draftOrders.entry must be an array."];
            return;
        }

        // The orders are FHIR: read by the SDK, with the same rules as prefetch (FhirResources).
        if (FhirResources.Read(bundle, "context.draftOrders", errors) is not R4.Bundle read)
        {
            return;
        }

        foreach (var entry in read.Entry)
        {
            if (entry?.Resource is { } resource)
            {
                drafts.Add(resource);
                fullUrls.Add(FhirResources.Text(entry.FullUrl));
            }
        }
    }

    private static HashSet<string>? ReadSelections(JsonElement context, Dictionary<string, string[]> errors)
    {
        if (!context.TryGetProperty("selections", out var selections) || selections.ValueKind == JsonValueKind.Null)
        {
            errors["context.selections"] = ["context.selections is required for order-select: the ids of the newly selected orders (e.g. \"MedicationRequest/123\")."];
            return null;
        }

        if (selections.ValueKind != JsonValueKind.Array)
        {
            errors["context.selections"] = ["context.selections must be an array of strings."];
            return null;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var s in selections.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(s.GetString()))
            {
                errors[$"context.selections[{i}]"] = ["Each selection must be a non-empty string such as \"MedicationRequest/123\"."];
            }
            else
            {
                set.Add(s.GetString()!);
            }

            i++;
        }

        return set;
    }
}
