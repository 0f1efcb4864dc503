using R4 = Hl7.Fhir.Model;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>Where a reference was resolved, for the notes on the card.</summary>
internal enum ReferenceOrigin
{
    /// <summary>A resource contained in the referencing resource (<c>#id</c>).</summary>
    Contained,
    /// <summary>An entry of the same Bundle (a sibling entry).</summary>
    SameBundle,
    /// <summary>An entry of another Bundle of this call (another prefetch key, or the draft orders).</summary>
    OtherBundle,
    /// <summary>Read from the client's FHIR server by this service.</summary>
    Fetched,
}

/// <summary>A resolved reference: the resource and where it was found.</summary>
internal readonly record struct ResolvedReference(R4.Resource Resource, ReferenceOrigin Origin);

/// <summary>
/// Resolves FHIR references for the mapping, wherever the target sits, in this order (FHIR R4
/// "Resolving references in Bundles", and "Contained resources"):
/// <list type="number">
/// <item>a contained resource (<c>#id</c>) of the referencing resource;</item>
/// <item>an entry of the same Bundle, matched by <c>fullUrl</c>, else by <c>Type/id</c> (a relative
/// reference, or the last two segments of an absolute one, history suffix ignored);</item>
/// <item>an entry of any other Bundle of the call (the draft orders and every prefetch key);</item>
/// <item>a resource this service read from the client's FHIR server (<see cref="AddFetched"/>),
/// within the fetch confinement policy; the caller decides what to fetch from <see cref="UnresolvedMedications"/>.</item>
/// </list>
/// One resolver serves every reference the mapping follows: <c>medicationReference</c> of
/// MedicationRequest and MedicationStatement (draft and listed), and the <c>subject</c> /
/// <c>patient</c> reference when it is not written as <c>Patient/{id}</c>.
/// </summary>
internal sealed class FhirReferenceResolver
{
    /// <summary>Name of the draft orders' Bundle as a source.</summary>
    public const string DraftOrders = "draftOrders";

    private readonly Dictionary<string, List<(string? FullUrl, R4.Resource Resource)>> _sources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, R4.Resource> _fetched = new(StringComparer.Ordinal);

    /// <summary>Adds the entries of one Bundle (or a single resource) under a source name.</summary>
    public void AddSource(string name, IReadOnlyList<R4.Resource> resources, IReadOnlyList<string?> fullUrls)
    {
        if (!_sources.TryGetValue(name, out var list))
        {
            _sources[name] = list = [];
        }

        for (var i = 0; i < resources.Count; i++)
        {
            list.Add((i < fullUrls.Count ? fullUrls[i] : null, resources[i]));
        }
    }

    /// <summary>The resolver for everything collected in one call.</summary>
    public static FhirReferenceResolver For(FhirInput input)
    {
        var resolver = new FhirReferenceResolver();
        resolver.AddSource(DraftOrders, input.DraftOrders, input.DraftFullUrls);
        foreach (var data in input.AllData())
        {
            resolver.AddSource(data.Key, data.Resources, data.FullUrls);
        }

        return resolver;
    }

    /// <summary>Adds a resource read from the FHIR server for that reference.</summary>
    public void AddFetched(string reference, R4.Resource resource) => _fetched[Normalize(reference) ?? reference] = resource;

    /// <summary>Resolves <paramref name="reference"/> made by <paramref name="from"/> (found in source <paramref name="source"/>) to a resource of <paramref name="type"/>.</summary>
    public ResolvedReference? Resolve(R4.Resource from, string reference, string type, string? source)
    {
        if (reference.StartsWith('#'))
        {
            var id = reference[1..];
            foreach (var contained in (from as R4.DomainResource)?.Contained ?? [])
            {
                if (contained?.TypeName == type && contained.Id == id)
                {
                    return new ResolvedReference(contained, ReferenceOrigin.Contained);
                }
            }

            return null;
        }

        var typeId = Normalize(reference);
        if (typeId is not null && !typeId.StartsWith(type + "/", StringComparison.Ordinal))
        {
            // A reference to another resource type is not the one asked for.
            return null;
        }

        if (source is not null && _sources.TryGetValue(source, out var own) && Find(own, reference, typeId) is { } sibling)
        {
            return new ResolvedReference(sibling, ReferenceOrigin.SameBundle);
        }

        foreach (var (name, entries) in _sources)
        {
            if (name != source && Find(entries, reference, typeId) is { } other)
            {
                return new ResolvedReference(other, ReferenceOrigin.OtherBundle);
            }
        }

        return typeId is not null && _fetched.TryGetValue(typeId, out var fetched) && fetched.TypeName == type
            ? new ResolvedReference(fetched, ReferenceOrigin.Fetched)
            : null;
    }

    /// <summary>
    /// The <c>medicationReference</c> targets no Bundle of this call holds, as <c>Medication/{id}</c>
    /// (relative) or as written (absolute), distinct, at most <paramref name="max"/>. Contained
    /// references that are missing cannot be fetched and are not listed.
    /// </summary>
    public IReadOnlyList<string> UnresolvedMedications(int max)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, entries) in _sources)
        {
            foreach (var (_, resource) in entries)
            {
                if (MedicationReference(resource) is not { } reference
                    || reference.StartsWith('#')
                    || Resolve(resource, reference, "Medication", name) is not null)
                {
                    continue;
                }

                if (Normalize(reference) is { } typeId && typeId.StartsWith("Medication/", StringComparison.Ordinal) && seen.Add(typeId))
                {
                    result.Add(Uri.TryCreate(reference, UriKind.Absolute, out _) ? reference : typeId);
                    if (result.Count >= max)
                    {
                        return result;
                    }
                }
            }
        }

        return result;
    }

    /// <summary>The <c>medicationReference.reference</c> of a MedicationRequest or MedicationStatement.</summary>
    internal static string? MedicationReference(R4.Resource resource) => resource switch
    {
        R4.MedicationRequest { Medication: R4.ResourceReference r } => FhirResources.Text(r.Reference),
        R4.MedicationStatement { Medication: R4.ResourceReference r } => FhirResources.Text(r.Reference),
        _ => null,
    };

    private static R4.Resource? Find(List<(string? FullUrl, R4.Resource Resource)> entries, string reference, string? typeId)
    {
        // fullUrl first (absolute URLs and urn:uuid references), then Type/id.
        foreach (var (fullUrl, resource) in entries)
        {
            if (fullUrl is not null && string.Equals(fullUrl, reference, StringComparison.Ordinal))
            {
                return resource;
            }
        }

        if (typeId is null)
        {
            return null;
        }

        foreach (var (fullUrl, resource) in entries)
        {
            if (resource.Reference() == typeId || (fullUrl is not null && Normalize(fullUrl) == typeId))
            {
                return resource;
            }
        }

        return null;
    }

    /// <summary>
    /// <c>Type/id</c> of a literal reference: relative (<c>Medication/1</c>), absolute
    /// (<c>https://ehr/fhir/Medication/1</c>) or versioned (<c>…/_history/2</c>); null for
    /// <c>urn:</c> references, contained ones and anything else.
    /// </summary>
    internal static string? Normalize(string reference)
    {
        if (reference.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) || reference.StartsWith('#'))
        {
            return null;
        }

        var path = reference;
        if (Uri.TryCreate(reference, UriKind.Absolute, out var absolute))
        {
            if (absolute.Scheme != Uri.UriSchemeHttps && absolute.Scheme != Uri.UriSchemeHttp)
            {
                return null;
            }

            path = absolute.AbsolutePath;
        }

        var query = path.IndexOfAny(['?', '#']);
        if (query >= 0)
        {
            path = path[..query];
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var n = segments.Length;
        if (n >= 4 && segments[n - 2] == "_history")
        {
            n -= 2;
        }

        if (n < 2)
        {
            return null;
        }

        var (type, id) = (segments[n - 2], segments[n - 1]);
        return type.Length > 0 && char.IsAsciiLetterUpper(type[0]) && type.All(char.IsAsciiLetter) && IsId(id) ? $"{type}/{id}" : null;
    }

    /// <summary>A FHIR id: 1–64 of [A-Za-z0-9-.].</summary>
    private static bool IsId(string id) => id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
}
