using System.Text.Json;

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
    public List<JsonElement> Resources { get; } = [];
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
    /// Reads a prefetch value. Returns null when the value is not null and not a FHIR resource
    /// object (the caller answers 400).
    /// </summary>
    public static PrefetchData? Read(string key, JsonElement value, PrefetchOrigin origin)
    {
        var data = new PrefetchData(key, origin);
        if (value.ValueKind == JsonValueKind.Null)
        {
            data.Null = true;
            return data;
        }

        if (value.ValueKind != JsonValueKind.Object || value.ResourceType() is not { } type)
        {
            return null;
        }

        data.Add(value, type);
        return data;
    }

    /// <summary>Adds one resource or one Bundle page.</summary>
    public void Add(JsonElement value, string type)
    {
        switch (type)
        {
            case "OperationOutcome":
                Failed = true;
                break;
            case "Bundle":
                Next = null;
                foreach (var link in value.Arr("link"))
                {
                    if (link.Str("relation") == "next" && link.Str("url") is { } url)
                    {
                        Next = url;
                    }
                }

                foreach (var entry in value.Arr("entry"))
                {
                    if (entry.Obj("resource") is not { } resource || resource.ResourceType() is not { } entryType)
                    {
                        continue;
                    }

                    // A searchset may carry OperationOutcome entries (search.mode "outcome") with warnings.
                    if (entryType == "OperationOutcome")
                    {
                        if (IsError(resource))
                        {
                            Failed = true;
                        }

                        continue;
                    }

                    Resources.Add(resource);
                    FullUrls.Add(entry.Str("fullUrl"));
                }

                Incomplete = Next is not null;
                break;
            default:
                Resources.Add(value);
                FullUrls.Add(null);
                break;
        }
    }

    private static bool IsError(JsonElement outcome) =>
        outcome.Arr("issue").Any(i => i.Str("severity") is "error" or "fatal");
}
