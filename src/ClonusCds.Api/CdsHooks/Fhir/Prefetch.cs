using System.Text.Json;
using R4 = Hl7.Fhir.Model;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>Where one prefetch key's data came from.</summary>
internal enum PrefetchOrigin
{
    /// <summary>Sent by the client in <c>prefetch</c>.</summary>
    Prefetched,
    /// <summary>Read by this service from the client's FHIR server.</summary>
    Fetched,
}

/// <summary>
/// The data for one prefetch key: the resources it held (a single resource, or a searchset
/// Bundle's entries), or nothing (<c>null</c>: the client has no data), or an OperationOutcome (the
/// client could not get it: unknown, not "none").
/// </summary>
internal sealed class PrefetchData(string key, PrefetchOrigin origin)
{
    public string Key { get; } = key;
    public PrefetchOrigin Origin { get; } = origin;
    public List<R4.Resource> Resources { get; } = [];
    /// <summary>The Bundle entry's <c>fullUrl</c> of each resource (same order; null for a resource sent alone or an entry without one).</summary>
    public List<string?> FullUrls { get; } = [];
    /// <summary>The value was null: no data (a read found nothing; a search found nothing).</summary>
    public bool Null { get; set; }
    /// <summary>The client answered with an OperationOutcome: the data are unknown.</summary>
    public bool Failed { get; set; }
    /// <summary>More pages exist that were not read: the list is incomplete.</summary>
    public bool Incomplete { get; set; }
    /// <summary>The searchset's next-page link, while unread.</summary>
    public string? Next { get; set; }

    /// <summary>
    /// Reads a prefetch value. Returns null, with the reason in <paramref name="errors"/> under
    /// <c>prefetch.{key}</c> (and the element's path below it), when the value is neither null nor
    /// a FHIR R4 resource the SDK can read (the caller answers 400).
    /// </summary>
    public static PrefetchData? Read(string key, JsonElement value, PrefetchOrigin origin, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var data = new PrefetchData(key, origin);
        if (value.ValueKind == JsonValueKind.Null)
        {
            data.Null = true;
            return data;
        }

        var path = "prefetch." + key;
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(type.GetString()))
        {
            errors[path] = [$"{path} must be a FHIR resource (a Bundle for searches) or null."];
            return null;
        }

        if (FhirResources.Read(value, path, errors) is not { } resource)
        {
            return null;
        }

        data.Add(resource);
        return data;
    }

    /// <summary>Reads a prefetch value, without the reasons (null when it is not usable).</summary>
    public static PrefetchData? Read(string key, JsonElement value, PrefetchOrigin origin) =>
        Read(key, value, origin, new Dictionary<string, string[]>());

    /// <summary>Adds one resource or one Bundle page.</summary>
    public void Add(R4.Resource value)
    {
        switch (value)
        {
            case R4.OperationOutcome:
                Failed = true;
                break;
            case R4.Bundle bundle:
                Next = null;
                foreach (var link in bundle.Link)
                {
                    if (link?.Relation == "next" && FhirResources.Text(link.Url) is { } url)
                    {
                        Next = url;
                    }
                }

                foreach (var entry in bundle.Entry)
                {
                    if (entry?.Resource is not { } resource)
                    {
                        continue;
                    }

                    // A searchset may carry OperationOutcome entries (search.mode "outcome") with warnings.
                    if (resource is R4.OperationOutcome outcome)
                    {
                        if (IsError(outcome))
                        {
                            Failed = true;
                        }

                        continue;
                    }

                    Resources.Add(resource);
                    FullUrls.Add(FhirResources.Text(entry.FullUrl));
                }

                Incomplete = Next is not null;
                break;
            default:
                Resources.Add(value);
                FullUrls.Add(null);
                break;
        }
    }

    private static bool IsError(R4.OperationOutcome outcome) =>
        outcome.Issue.Any(i => i?.SeverityElement.Raw() is "error" or "fatal");
}
