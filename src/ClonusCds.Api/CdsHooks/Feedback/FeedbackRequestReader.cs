using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClonusCds.Api.CdsHooks.Feedback;

/// <summary>The outcome of reading a feedback request: the items, or errors keyed by JSON path.</summary>
internal sealed record FeedbackReadResult(IReadOnlyList<FeedbackEntry> Items, Dictionary<string, string[]>? Errors)
{
    public bool IsValid => Errors is null;
}

/// <summary>
/// Reads and validates a CDS Hooks feedback request body. Deliberately not the app's strict
/// serializer settings: the spec reserves <c>extension</c> (and implementations add members), so
/// unknown members are ignored anywhere. Everything the spec defines is checked, and every problem
/// is reported at once under its JSON path ("feedback[0].outcome"). Messages never quote values:
/// userComment can hold patient details.
/// </summary>
internal static partial class FeedbackRequestReader
{
    public const int MaxItems = 100;
    public const int MaxSuggestions = 100;
    public const int MaxIdLength = 200;
    public const int MaxDisplayLength = 500;
    public const int MaxCommentLength = 2000;
    public const int MaxDepth = 32;

    /// <summary>How far ahead of this server's clock an outcome timestamp may be (clock skew).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    private const string Example = "e.g. 2021-12-11T10:05:31Z";

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})[Tt](?<time>\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d{1,9}))?(?<offset>[Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LocalDateTime();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    /// <summary>Reads a request body (UTF-8 JSON) against the clock's <paramref name="now"/>.</summary>
    public static FeedbackReadResult Read(ReadOnlyMemory<byte> body, DateTimeOffset now)
    {
        var errors = new Errors();
        if (body.Span.StartsWith(Utf8Bom))
        {
            body = body[3..];
        }

        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            errors.Add("$", "The request body is required: a JSON object with a feedback array.");
            return errors.Result();
        }

        if (!CheckSyntax(body.Span, out var path, out var message))
        {
            errors.Add(path, message);
            return errors.Result();
        }

        using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", $"Expected a JSON object with a feedback array, not {Kind(root)}.");
            return errors.Result();
        }

        if (!root.TryGetProperty("feedback", out var list))
        {
            errors.Add("feedback", $"Required: an array of 1 to {MaxItems} feedback items.");
            return errors.Result();
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("feedback", $"Expected an array of feedback items, not {Kind(list)}.");
            return errors.Result();
        }

        var count = list.GetArrayLength();
        if (count == 0)
        {
            errors.Add("feedback", "At least one feedback item is required.");
            return errors.Result();
        }

        if (count > MaxItems)
        {
            errors.Add("feedback", $"At most {MaxItems} items per request; this one has {count}. Send them in several requests.");
            return errors.Result();
        }

        var items = new List<FeedbackEntry>(count);
        var index = 0;
        foreach (var element in list.EnumerateArray())
        {
            if (ReadItem(element, $"feedback[{index}]", now, errors) is { } item)
            {
                items.Add(item);
            }

            index++;
        }

        return errors.Count > 0 ? errors.Result() : new FeedbackReadResult(items, null);
    }

    /// <summary>
    /// Parses an RFC 3339 date-time that carries an explicit offset ("Z" or "±hh:mm") and returns it
    /// in UTC. Up to 9 fractional digits; beyond 100 ns they are truncated.
    /// </summary>
    public static bool TryParseTimestamp(string? text, out DateTimeOffset value, out string error)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            error = $"Expected an RFC 3339 date-time in UTC, {Example}.";
            return false;
        }

        var match = Rfc3339().Match(text);
        if (!match.Success)
        {
            error = LocalDateTime().IsMatch(text)
                ? $"The date-time has no UTC offset; send it in UTC with a trailing Z, {Example}."
                : $"Expected an RFC 3339 date-time in UTC, {Example}.";
            return false;
        }

        var fraction = match.Groups["fraction"].Value;
        var offset = match.Groups["offset"].Value;
        var normalised = match.Groups["date"].Value + "T" + match.Groups["time"].Value
            + (fraction.Length > 0 ? "." + fraction[..Math.Min(fraction.Length, 7)] : "")
            + (offset is "Z" or "z" ? "+00:00" : offset);
        if (!DateTimeOffset.TryParseExact(normalised, ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            error = $"Not a valid date-time (check the month, day, hour and offset), {Example}.";
            return false;
        }

        value = parsed.ToUniversalTime();
        error = "";
        return true;
    }

    private static FeedbackEntry? ReadItem(JsonElement item, string path, DateTimeOffset now, Errors errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, $"Expected a feedback object, not {Kind(item)}.");
            return null;
        }

        var before = errors.Count;
        var card = RequiredString(item, "card", path, MaxIdLength, errors);

        FeedbackOutcome? outcome = null;
        var outcomeText = RequiredString(item, "outcome", path, MaxIdLength, errors);
        if (outcomeText is not null)
        {
            if (FeedbackFormat.TryParseOutcome(outcomeText, out var parsed))
            {
                outcome = parsed;
            }
            else
            {
                errors.Add(Join(path, "outcome"), $"Expected \"{FeedbackFormat.Accepted}\" or \"{FeedbackFormat.Overridden}\".");
            }
        }

        var suggestions = ReadSuggestions(item, path, outcome, errors);
        var (reason, comment) = ReadOverride(item, path, outcome, errors);

        DateTimeOffset? timestamp = null;
        var timestampPath = Join(path, "outcomeTimestamp");
        var timestampText = RequiredString(item, "outcomeTimestamp", path, 64, errors);
        if (timestampText is not null)
        {
            if (!TryParseTimestamp(timestampText, out var parsed, out var error))
            {
                errors.Add(timestampPath, error);
            }
            else if (parsed > now + FutureTolerance)
            {
                errors.Add(timestampPath, $"More than {FutureTolerance.TotalMinutes:0} minutes ahead of this server's clock; send the time the user acted, in UTC.");
            }
            else
            {
                timestamp = parsed;
            }
        }

        return errors.Count == before && card is not null && outcome is { } o && timestamp is { } t
            ? new FeedbackEntry(card, o, suggestions, reason, comment, t)
            : null;
    }

    private static List<string> ReadSuggestions(JsonElement item, string path, FeedbackOutcome? outcome, Errors errors)
    {
        var ids = new List<string>();
        var at = Join(path, "acceptedSuggestions");
        if (!item.TryGetProperty("acceptedSuggestions", out var list))
        {
            if (outcome == FeedbackOutcome.Accepted)
            {
                errors.Add(at, "Required when outcome is \"accepted\": the ids of the accepted suggestions.");
            }

            return ids;
        }

        if (outcome == FeedbackOutcome.Overridden)
        {
            errors.Add(at, "Must be absent when outcome is \"overridden\": a card is either overridden or has suggestions accepted.");
            return ids;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(at, $"Expected an array of {{\"id\": \"…\"}} objects, not {Kind(list)}.");
            return ids;
        }

        var count = list.GetArrayLength();
        if (count == 0)
        {
            errors.Add(at, "Must not be empty: list the accepted suggestions (empty arrays are not allowed by the spec).");
            return ids;
        }

        if (count > MaxSuggestions)
        {
            errors.Add(at, $"At most {MaxSuggestions} accepted suggestions per item.");
            return ids;
        }

        var index = 0;
        foreach (var suggestion in list.EnumerateArray())
        {
            var itemPath = $"{at}[{index++}]";
            if (suggestion.ValueKind != JsonValueKind.Object)
            {
                errors.Add(itemPath, $"Expected an object {{\"id\": \"…\"}}, not {Kind(suggestion)}.");
                continue;
            }

            if (RequiredString(suggestion, "id", itemPath, MaxIdLength, errors) is { } id && !ids.Contains(id, StringComparer.Ordinal))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static (FeedbackCoding? Reason, string? Comment) ReadOverride(JsonElement item, string path, FeedbackOutcome? outcome, Errors errors)
    {
        var at = Join(path, "overrideReason");
        if (!item.TryGetProperty("overrideReason", out var value))
        {
            return (null, null);
        }

        if (outcome == FeedbackOutcome.Accepted)
        {
            errors.Add(at, "Only sent with outcome \"overridden\".");
            return (null, null);
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(at, $"Expected an object with reason and/or userComment, not {Kind(value)}.");
            return (null, null);
        }

        var hasReason = value.TryGetProperty("reason", out var reasonElement);
        var hasComment = value.TryGetProperty("userComment", out _);
        if (!hasReason && !hasComment)
        {
            errors.Add(at, "Send reason, userComment or both; omit overrideReason when there is neither.");
            return (null, null);
        }

        FeedbackCoding? reason = null;
        if (hasReason)
        {
            var reasonPath = Join(at, "reason");
            if (reasonElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(reasonPath, $"Expected a Coding object {{\"system\", \"code\", \"display\"?}}, not {Kind(reasonElement)}.");
            }
            else
            {
                var code = RequiredString(reasonElement, "code", reasonPath, MaxIdLength, errors);
                var system = RequiredString(reasonElement, "system", reasonPath, MaxIdLength, errors);
                var display = OptionalString(reasonElement, "display", reasonPath, MaxDisplayLength, errors);
                if (code is not null && system is not null)
                {
                    reason = new FeedbackCoding(system, code, display);
                }
            }
        }

        var comment = OptionalString(value, "userComment", at, MaxCommentLength, errors);
        return (reason, comment);
    }

    private static string? RequiredString(JsonElement parent, string name, string parentPath, int maxLength, Errors errors)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            errors.Add(Join(parentPath, name), "Required.");
            return null;
        }

        return StringValue(value, Join(parentPath, name), maxLength, errors);
    }

    private static string? OptionalString(JsonElement parent, string name, string parentPath, int maxLength, Errors errors) =>
        parent.TryGetProperty(name, out var value) ? StringValue(value, Join(parentPath, name), maxLength, errors) : null;

    private static string? StringValue(JsonElement value, string path, int maxLength, Errors errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(path, value.ValueKind == JsonValueKind.Null
                ? "Expected a string, not null (the spec does not allow nulls; omit optional fields instead)."
                : $"Expected a string, not {Kind(value)}.");
            return null;
        }

        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(path, "Must not be empty.");
            return null;
        }

        if (text.Length > maxLength)
        {
            errors.Add(path, $"At most {maxLength} characters.");
            return null;
        }

        return text;
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Join(string parent, string name)
    {
        var segment = Identifier().IsMatch(name)
            ? name
            : $"['{(name.Length > 100 ? name[..100] + "…" : name).Replace("'", "\\'", StringComparison.Ordinal)}']";
        return parent is "" or "$" ? segment : segment.StartsWith('[') ? parent + segment : $"{parent}.{segment}";
    }

    /// <summary>
    /// One pass of the reader before the document is built: well-formed JSON, depth, valid UTF-8
    /// and Unicode in every string, and no property sent twice in one object (anywhere, extensions
    /// included: a duplicate makes the meaning ambiguous). Reports where the problem is.
    /// </summary>
    private static bool CheckSyntax(ReadOnlySpan<byte> body, out string path, out string message)
    {
        var frames = new List<Frame>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var frame = frames[^1];
                        var name = reader.GetString()!;
                        frame.Name = name;
                        if (!frame.Names.Add(name))
                        {
                            path = PathOf(frames);
                            message = "The property appears more than once in this object; send it once.";
                            return false;
                        }

                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        Advance(frames);
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.String:
                        Advance(frames);
                        _ = reader.GetString();
                        break;
                    default:
                        Advance(frames);
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            path = PathOf(frames);
            message = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"The JSON is nested deeper than the limit of {MaxDepth} levels."
                : $"The body is not well-formed JSON here ({ex.Message.Split(" LineNumber:", 2)[0].Trim()}).";
            return false;
        }
        catch (InvalidOperationException)
        {
            // GetString: invalid UTF-8, or an escaped unpaired surrogate.
            path = PathOf(frames);
            message = "The text is not valid UTF-8 (or escapes an unpaired surrogate).";
            return false;
        }

        path = "$";
        message = "";
        return true;
    }

    private static void Advance(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1].Index++;
        }
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = "$";
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                if (frame.Index >= 0)
                {
                    path = (path == "$" ? "" : path) + $"[{frame.Index}]";
                }
            }
            else if (frame.Name is { } name)
            {
                path = Join(path, name);
            }
        }

        return path;
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;
        public int Index { get; set; } = -1;
        public string? Name { get; set; }
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Errors by path, in the order found.</summary>
    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _byPath = new(StringComparer.Ordinal);

        /// <summary>Messages added so far.</summary>
        public int Count { get; private set; }

        public void Add(string path, string message)
        {
            if (!_byPath.TryGetValue(path, out var messages))
            {
                _byPath[path] = messages = [];
            }

            messages.Add(message);
            Count++;
        }

        public FeedbackReadResult Result() =>
            new([], _byPath.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }
}
