using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// Checks CDS Hooks 2.0.1 responses and discovery documents against the specification
/// (shared/reference/cds-hooks-2.0.1-spec.md) and returns every violation as "path: what is wrong".
/// Written from the spec alone; rules marked "(ClonusCds contract)" are this product's stricter promise.
/// </summary>
public static partial class CdsConformance
{
    private static readonly HashSet<string> Indicators = new(StringComparer.Ordinal) { "info", "warning", "critical" };
    private static readonly HashSet<string> SelectionBehaviors = new(StringComparer.Ordinal) { "at-most-one", "any" };
    private static readonly HashSet<string> ActionTypes = new(StringComparer.Ordinal) { "create", "update", "delete" };
    private static readonly HashSet<string> LinkTypes = new(StringComparer.Ordinal) { "absolute", "smart" };

    /// <summary>The four user-identifier prefetch tokens ("Prefetch tokens identifying the user").</summary>
    private static readonly HashSet<string> UserTokens = new(StringComparer.Ordinal)
    {
        "userPractitionerId", "userPractitionerRoleId", "userPatientId", "userRelatedPersonId",
    };

    /// <summary>
    /// Root-level primitive context fields of the hooks this product serves (CDS Hooks library): only
    /// these may be prefetch tokens. selections and draftOrders are an array and a Bundle, so they may not.
    /// </summary>
    private static readonly Dictionary<string, HashSet<string>> PrimitiveContextFields = new(StringComparer.Ordinal)
    {
        ["patient-view"] = new(StringComparer.Ordinal) { "userId", "patientId", "encounterId" },
        ["order-select"] = new(StringComparer.Ordinal) { "userId", "patientId", "encounterId" },
        ["order-sign"] = new(StringComparer.Ordinal) { "userId", "patientId", "encounterId" },
    };

    /// <summary>Search parameters allowed in a prefetch template ("Prefetch query restrictions", as this product uses them).</summary>
    private static readonly HashSet<string> AllowedSearchParameters = new(StringComparer.Ordinal)
    {
        "patient", "code", "category", "status", "clinical-status", "_count", "_sort", "date",
    };

    private static readonly HashSet<string> TokenParameters = new(StringComparer.Ordinal) { "code", "category", "status", "clinical-status" };
    private static readonly HashSet<string> DatePrefixes = new(StringComparer.Ordinal) { "eq", "lt", "gt", "ge", "le" };

    // ------------------------------------------------------------------------------------------
    // Service response

    /// <summary>Every violation of the card rules in <paramref name="response"/>, given the request that produced it.</summary>
    public static IReadOnlyList<string> CheckResponse(JsonElement response, JsonElement request)
    {
        var v = new List<string>();
        if (response.ValueKind != JsonValueKind.Object)
        {
            v.Add($"$: the response must be a JSON object, not {response.ValueKind}");
            return v;
        }

        // "Use of JSON": null, "", [] and {} are prohibited unless otherwise specified; the one exception
        // is the empty cards array meaning "no guidance".
        CheckNoNullOrEmpty(response, "$", v, allowEmptyArrayAt: "$.cards");

        var drafts = DraftOrderReferences(request);
        var cardUuids = new HashSet<string>(StringComparer.Ordinal);
        var suggestionUuids = new HashSet<string>(StringComparer.Ordinal);

        if (!response.TryGetProperty("cards", out var cards))
        {
            v.Add("$.cards: required");
        }
        else if (cards.ValueKind != JsonValueKind.Array)
        {
            v.Add($"$.cards: must be an array, not {cards.ValueKind}");
        }
        else
        {
            var i = 0;
            foreach (var card in cards.EnumerateArray())
            {
                CheckCard(card, $"$.cards[{i++}]", drafts, cardUuids, suggestionUuids, v);
            }
        }

        if (response.TryGetProperty("systemActions", out var systemActions))
        {
            if (systemActions.ValueKind != JsonValueKind.Array)
            {
                v.Add($"$.systemActions: must be an array, not {systemActions.ValueKind}");
            }
            else
            {
                var i = 0;
                foreach (var action in systemActions.EnumerateArray())
                {
                    CheckAction(action, $"$.systemActions[{i++}]", drafts, v);
                }
            }
        }

        return v;
    }

    private static void CheckCard(JsonElement card, string path, HashSet<string> drafts, HashSet<string> cardUuids, HashSet<string> suggestionUuids, List<string> v)
    {
        if (card.ValueKind != JsonValueKind.Object)
        {
            v.Add($"{path}: a card must be an object, not {card.ValueKind}");
            return;
        }

        // uuid: OPTIONAL in the spec, required by the ClonusCds contract (feedback needs it); unique.
        if (RequireString(card, "uuid", path, v, "(ClonusCds contract) ") is { } uuid)
        {
            if (!Guid.TryParse(uuid, out _))
            {
                v.Add($"{path}.uuid: '{uuid}' is not a UUID (ClonusCds contract)");
            }

            if (!cardUuids.Add(uuid))
            {
                v.Add($"{path}.uuid: '{uuid}' is used by another card; card uuids must be unique");
            }
        }

        if (RequireString(card, "summary", path, v) is { } summary && summary.Length >= 140)
        {
            v.Add($"{path}.summary: {summary.Length} characters; the summary must be under 140");
        }

        if (RequireString(card, "indicator", path, v) is { } indicator && !Indicators.Contains(indicator))
        {
            v.Add($"{path}.indicator: '{indicator}' is not info, warning or critical");
        }

        OptionalString(card, "detail", path, v);
        CheckSource(card, path, v);

        var hasSuggestions = card.TryGetProperty("suggestions", out var suggestions);
        if (card.TryGetProperty("selectionBehavior", out var behavior))
        {
            if (behavior.ValueKind != JsonValueKind.String || !SelectionBehaviors.Contains(behavior.GetString()!))
            {
                v.Add($"{path}.selectionBehavior: {behavior.GetRawText()} is not at-most-one or any");
            }
        }
        else if (hasSuggestions)
        {
            v.Add($"{path}.selectionBehavior: required when suggestions are present");
        }

        if (hasSuggestions)
        {
            if (suggestions.ValueKind != JsonValueKind.Array)
            {
                v.Add($"{path}.suggestions: must be an array");
            }
            else
            {
                var i = 0;
                foreach (var suggestion in suggestions.EnumerateArray())
                {
                    CheckSuggestion(suggestion, $"{path}.suggestions[{i++}]", drafts, suggestionUuids, v);
                }
            }
        }

        if (card.TryGetProperty("overrideReasons", out var reasons))
        {
            if (reasons.ValueKind != JsonValueKind.Array)
            {
                v.Add($"{path}.overrideReasons: must be an array of Coding");
            }
            else
            {
                var i = 0;
                foreach (var reason in reasons.EnumerateArray())
                {
                    // Override reasons provided by the service MUST carry display.
                    CheckCoding(reason, $"{path}.overrideReasons[{i++}]", requireDisplay: true, v);
                }
            }
        }

        if (card.TryGetProperty("links", out var links))
        {
            if (links.ValueKind != JsonValueKind.Array)
            {
                v.Add($"{path}.links: must be an array");
            }
            else
            {
                var i = 0;
                foreach (var link in links.EnumerateArray())
                {
                    CheckLink(link, $"{path}.links[{i++}]", v);
                }
            }
        }

        CheckExtension(card, path, v);
    }

    private static void CheckSource(JsonElement card, string path, List<string> v)
    {
        if (!card.TryGetProperty("source", out var source))
        {
            v.Add($"{path}.source: required");
            return;
        }

        var sp = path + ".source";
        if (source.ValueKind != JsonValueKind.Object)
        {
            v.Add($"{sp}: must be an object");
            return;
        }

        RequireString(source, "label", sp, v);
        foreach (var name in new[] { "url", "icon" })
        {
            if (source.TryGetProperty(name, out var url) && !IsAbsoluteHttpUrl(url))
            {
                v.Add($"{sp}.{name}: {url.GetRawText()} is not an absolute http(s) URL");
            }
        }

        if (source.TryGetProperty("topic", out var topic))
        {
            CheckCoding(topic, sp + ".topic", requireDisplay: false, v);
        }

        CheckExtension(source, sp, v);
    }

    private static void CheckSuggestion(JsonElement suggestion, string path, HashSet<string> drafts, HashSet<string> uuids, List<string> v)
    {
        if (suggestion.ValueKind != JsonValueKind.Object)
        {
            v.Add($"{path}: a suggestion must be an object");
            return;
        }

        RequireString(suggestion, "label", path, v);
        if (RequireString(suggestion, "uuid", path, v, "(ClonusCds contract) ") is { } uuid && !uuids.Add(uuid))
        {
            v.Add($"{path}.uuid: '{uuid}' is used by another suggestion; suggestion uuids must be unique");
        }

        if (suggestion.TryGetProperty("isRecommended", out var recommended) && recommended.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            v.Add($"{path}.isRecommended: must be a boolean, not {recommended.GetRawText()}");
        }

        if (suggestion.TryGetProperty("actions", out var actions))
        {
            if (actions.ValueKind != JsonValueKind.Array)
            {
                v.Add($"{path}.actions: must be an array");
            }
            else
            {
                var i = 0;
                foreach (var action in actions.EnumerateArray())
                {
                    CheckAction(action, $"{path}.actions[{i++}]", drafts, v);
                }
            }
        }

        CheckExtension(suggestion, path, v);
    }

    private static void CheckAction(JsonElement action, string path, HashSet<string> drafts, List<string> v)
    {
        if (action.ValueKind != JsonValueKind.Object)
        {
            v.Add($"{path}: an action must be an object");
            return;
        }

        var type = RequireString(action, "type", path, v);
        if (type is not null && !ActionTypes.Contains(type))
        {
            v.Add($"{path}.type: '{type}' is not create, update or delete");
        }

        RequireString(action, "description", path, v);

        if (type == "delete")
        {
            // resourceId SHOULD be given for delete (resource-as-id is deprecated); this product always deletes a draft order.
            if (RequireString(action, "resourceId", path, v) is { } id)
            {
                if (!RelativeReference().IsMatch(id))
                {
                    v.Add($"{path}.resourceId: '{id}' is not a relative reference Type/id");
                }
                else if (!drafts.Contains(id))
                {
                    v.Add($"{path}.resourceId: '{id}' names no draft order in the request's context.draftOrders" +
                          (drafts.Count == 0 ? " (the request has none)" : $" ({string.Join(", ", drafts)})"));
                }
            }
        }
        else if (type is "create" or "update")
        {
            if (!action.TryGetProperty("resource", out var resource) || resource.ValueKind != JsonValueKind.Object)
            {
                v.Add($"{path}.resource: a {type} action must carry the FHIR resource");
            }
            else if (!resource.TryGetProperty("resourceType", out var rt) || rt.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(rt.GetString()))
            {
                v.Add($"{path}.resource.resourceType: required for a {type} action's resource");
            }
        }

        if (action.TryGetProperty("resourceId", out var rid) && rid.ValueKind != JsonValueKind.String)
        {
            v.Add($"{path}.resourceId: must be a string");
        }

        CheckExtension(action, path, v);
    }

    private static void CheckLink(JsonElement link, string path, List<string> v)
    {
        if (link.ValueKind != JsonValueKind.Object)
        {
            v.Add($"{path}: a link must be an object");
            return;
        }

        RequireString(link, "label", path, v);
        if (!link.TryGetProperty("url", out var url))
        {
            v.Add($"{path}.url: required");
        }
        else if (!IsAbsoluteHttpUrl(url))
        {
            v.Add($"{path}.url: {url.GetRawText()} is not an absolute http(s) URL");
        }

        var type = RequireString(link, "type", path, v);
        if (type is not null && !LinkTypes.Contains(type))
        {
            v.Add($"{path}.type: '{type}' is not absolute or smart");
        }

        if (link.TryGetProperty("appContext", out var appContext))
        {
            if (appContext.ValueKind != JsonValueKind.String)
            {
                v.Add($"{path}.appContext: must be a string");
            }

            if (type != "smart")
            {
                v.Add($"{path}.appContext: only valid on smart links");
            }
        }

        if (link.TryGetProperty("autolaunchable", out var auto) && auto.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            v.Add($"{path}.autolaunchable: must be a boolean, not {auto.GetRawText()}");
        }

        CheckExtension(link, path, v);
    }

    private static void CheckCoding(JsonElement coding, string path, bool requireDisplay, List<string> v)
    {
        if (coding.ValueKind != JsonValueKind.Object)
        {
            v.Add($"{path}: a Coding must be an object");
            return;
        }

        RequireString(coding, "code", path, v);
        RequireString(coding, "system", path, v);
        if (requireDisplay)
        {
            RequireString(coding, "display", path, v);
        }
        else
        {
            OptionalString(coding, "display", path, v);
        }
    }

    private static void CheckExtension(JsonElement obj, string path, List<string> v)
    {
        // "The value of an extension element MUST be a pre-coordinated JSON object."
        if (obj.TryGetProperty("extension", out var ext) && ext.ValueKind != JsonValueKind.Object)
        {
            v.Add($"{path}.extension: must be a JSON object, not {ext.ValueKind}");
        }
    }

    /// <summary>"Type/id" of every resource in the request's context.draftOrders Bundle.</summary>
    public static HashSet<string> DraftOrderReferences(JsonElement request)
    {
        var refs = new HashSet<string>(StringComparer.Ordinal);
        if (request.ValueKind == JsonValueKind.Object
            && request.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object
            && context.TryGetProperty("draftOrders", out var bundle) && bundle.ValueKind == JsonValueKind.Object
            && bundle.TryGetProperty("entry", out var entries) && entries.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in entries.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("resource", out var r) && r.ValueKind == JsonValueKind.Object
                    && r.TryGetProperty("resourceType", out var type) && type.ValueKind == JsonValueKind.String
                    && r.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    refs.Add($"{type.GetString()}/{id.GetString()}");
                }
            }
        }

        return refs;
    }

    // ------------------------------------------------------------------------------------------
    // Discovery

    /// <summary>Every violation of the Discovery rules, including the prefetch template and token restrictions.</summary>
    public static IReadOnlyList<string> CheckDiscovery(JsonElement discovery)
    {
        var v = new List<string>();
        if (discovery.ValueKind != JsonValueKind.Object)
        {
            v.Add($"$: the discovery response must be a JSON object, not {discovery.ValueKind}");
            return v;
        }

        // A server with no services answers an empty services array.
        CheckNoNullOrEmpty(discovery, "$", v, allowEmptyArrayAt: "$.services");
        if (!discovery.TryGetProperty("services", out var services))
        {
            v.Add("$.services: required");
            return v;
        }

        if (services.ValueKind != JsonValueKind.Array)
        {
            v.Add($"$.services: must be an array, not {services.ValueKind}");
            return v;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var service in services.EnumerateArray())
        {
            var path = $"$.services[{i++}]";
            if (service.ValueKind != JsonValueKind.Object)
            {
                v.Add($"{path}: a service must be an object");
                continue;
            }

            var hook = RequireString(service, "hook", path, v);
            RequireString(service, "description", path, v);
            var id = RequireString(service, "id", path, v);
            OptionalString(service, "title", path, v);
            OptionalString(service, "usageRequirements", path, v);
            if (id is not null && hook is not null && !seen.Add(id + "\n" + hook))
            {
                v.Add($"{path}: id '{id}' is listed twice for hook '{hook}'");
            }

            if (service.TryGetProperty("prefetch", out var prefetch))
            {
                if (prefetch.ValueKind != JsonValueKind.Object)
                {
                    v.Add($"{path}.prefetch: must be an object of key → template");
                    continue;
                }

                foreach (var template in prefetch.EnumerateObject())
                {
                    var tp = $"{path}.prefetch.{template.Name}";
                    if (template.Value.ValueKind != JsonValueKind.String)
                    {
                        v.Add($"{tp}: a prefetch template must be a string");
                        continue;
                    }

                    foreach (var problem in CheckPrefetchTemplate(template.Value.GetString()!, hook))
                    {
                        v.Add($"{tp}: {problem}");
                    }
                }
            }

            CheckExtension(service, path, v);
        }

        return v;
    }

    /// <summary>Problems with one prefetch template under the spec's token rules and query restrictions.</summary>
    public static IReadOnlyList<string> CheckPrefetchTemplate(string template, string? hook)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(template))
        {
            problems.Add("empty template");
            return problems;
        }

        foreach (Match token in Token().Matches(template))
        {
            var name = token.Groups[1].Value.Trim();
            if (UserTokens.Contains(name))
            {
                continue;
            }

            if (!name.StartsWith("context.", StringComparison.Ordinal))
            {
                problems.Add($"token {token.Value} is neither a context field nor a user token");
                continue;
            }

            var field = name["context.".Length..];
            if (!Identifier().IsMatch(field))
            {
                problems.Add($"token {token.Value}: only root-level context fields may be tokens");
            }
            else if (hook is not null && PrimitiveContextFields.TryGetValue(hook, out var allowed) && !allowed.Contains(field))
            {
                problems.Add($"token {token.Value}: '{field}' is not a root-level primitive context field of {hook}");
            }
        }

        var skeleton = Token().Replace(template, "TOKEN");
        if (skeleton.Contains("{{", StringComparison.Ordinal) || skeleton.Contains("}}", StringComparison.Ordinal)
            || skeleton.Contains('{', StringComparison.Ordinal) || skeleton.Contains('}', StringComparison.Ordinal))
        {
            problems.Add("unbalanced or malformed token delimiters");
            return problems;
        }

        // A lone token is a read of a reference-valued field such as {{context.userId}} (spec example).
        if (skeleton == "TOKEN")
        {
            return problems;
        }

        var q = skeleton.IndexOf('?', StringComparison.Ordinal);
        if (q < 0)
        {
            if (!InstanceRead().IsMatch(skeleton))
            {
                problems.Add($"'{template}' is neither an instance read Type/id nor a type-level search Type?params");
            }

            return problems;
        }

        var type = skeleton[..q];
        if (!ResourceType().IsMatch(type))
        {
            problems.Add($"'{type}' is not a resource type: only type-level searches are allowed");
        }

        var query = skeleton[(q + 1)..];
        if (query.Length == 0)
        {
            problems.Add("search with no parameters");
            return problems;
        }

        foreach (var pair in query.Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
            {
                problems.Add($"parameter '{pair}' is not name=value");
                continue;
            }

            var fullName = pair[..eq];
            var value = pair[(eq + 1)..];
            var colon = fullName.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? fullName : fullName[..colon];
            var modifier = colon < 0 ? null : fullName[(colon + 1)..];
            if (!AllowedSearchParameters.Contains(name))
            {
                problems.Add($"search parameter '{name}' is outside the allowed subset");
                continue;
            }

            if (modifier is not null && !(modifier == "in" && TokenParameters.Contains(name)))
            {
                problems.Add($"modifier ':{modifier}' on '{name}': only ':in' on token parameters is allowed");
            }

            switch (name)
            {
                case "_count" when !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0:
                    problems.Add($"_count={value} is not a positive integer");
                    break;
                case "_sort" when !SortValue().IsMatch(value):
                    problems.Add($"_sort={value} is not a list of [-]parameter");
                    break;
                case "date":
                    foreach (var d in value.Split(','))
                    {
                        var prefix = DatePrefix().Match(d);
                        if (prefix.Success && !DatePrefixes.Contains(prefix.Value))
                        {
                            problems.Add($"date prefix '{prefix.Value}': only eq, lt, gt, ge, le are allowed");
                        }
                    }

                    break;
                default:
                    break;
            }
        }

        return problems;
    }

    // ------------------------------------------------------------------------------------------
    // Shared helpers

    /// <summary>Walks the whole document: no null, "", [] or {} anywhere, except an empty array at one path.</summary>
    private static void CheckNoNullOrEmpty(JsonElement element, string path, List<string> v, string allowEmptyArrayAt)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                v.Add($"{path}: null is not allowed (omit the attribute instead)");
                break;
            case JsonValueKind.String when element.GetString()!.Length == 0:
                v.Add($"{path}: empty string is not allowed (omit the attribute instead)");
                break;
            case JsonValueKind.Array:
                if (element.GetArrayLength() == 0 && path != allowEmptyArrayAt)
                {
                    v.Add($"{path}: empty array is not allowed (omit the attribute instead)");
                }

                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckNoNullOrEmpty(item, $"{path}[{i++}]", v, allowEmptyArrayAt);
                }

                break;
            case JsonValueKind.Object:
                var any = false;
                foreach (var property in element.EnumerateObject())
                {
                    any = true;
                    CheckNoNullOrEmpty(property.Value, $"{path}.{property.Name}", v, allowEmptyArrayAt);
                }

                if (!any)
                {
                    v.Add($"{path}: empty object is not allowed (omit the attribute instead)");
                }

                break;
            default:
                break;
        }
    }

    private static string? RequireString(JsonElement obj, string name, string path, List<string> v, string rule = "")
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            v.Add($"{path}.{name}: required {rule}".TrimEnd());
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            v.Add($"{path}.{name}: must be a string, not {value.ValueKind}");
            return null;
        }

        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            v.Add($"{path}.{name}: must not be blank");
            return null;
        }

        return text;
    }

    private static void OptionalString(JsonElement obj, string name, string path, List<string> v)
    {
        if (obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.String)
        {
            v.Add($"{path}.{name}: must be a string, not {value.ValueKind}");
        }
    }

    private static bool IsAbsoluteHttpUrl(JsonElement url) =>
        url.ValueKind == JsonValueKind.String
        && Uri.TryCreate(url.GetString(), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(uri.Host);

    [GeneratedRegex(@"^[A-Z][A-Za-z]+/[A-Za-z0-9\-.]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex RelativeReference();

    [GeneratedRegex(@"\{\{([^{}]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Token();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^[A-Z][A-Za-z]+/(TOKEN|[A-Za-z0-9\-.]{1,64})$", RegexOptions.CultureInvariant)]
    private static partial Regex InstanceRead();

    [GeneratedRegex(@"^[A-Z][A-Za-z]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ResourceType();

    [GeneratedRegex(@"^-?[A-Za-z_][A-Za-z0-9_\-.]*(,-?[A-Za-z_][A-Za-z0-9_\-.]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SortValue();

    [GeneratedRegex(@"^[a-z]{2}(?=[0-9T])", RegexOptions.CultureInvariant)]
    private static partial Regex DatePrefix();
}
