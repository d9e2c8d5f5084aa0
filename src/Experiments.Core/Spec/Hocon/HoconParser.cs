using System.Collections.Immutable;

namespace Experiments.Core.Spec.Hocon;

/// <summary>
/// The project's HOCON parser: recursive descent over <see cref="HoconLexer"/>'s tokens, giving the
/// tree the spec reader uses. It rejects what lenient parsers accept silently (unbalanced brackets,
/// nesting deeper than <see cref="MaxDepth"/>, a key without '=', ':' or '{', empty array
/// elements, doubled separators, text after an array or object), merges duplicate keys as HOCON
/// does (objects merge, a later value wins), reads <c>include "file"</c> through
/// <see cref="HoconIncludes"/> and leaves substitutions to <see cref="HoconResolver"/>. Records the
/// line of every key path of the top file, so value errors can name their line.
/// </summary>
internal sealed class HoconParser
{
    public const int MaxDepth = 64;

    private readonly ImmutableArray<Token> _tokens;
    private readonly string _source;
    private readonly HoconIncludes _includes;
    private readonly Dictionary<string, int>? _keyLines;
    private int _next;

    private HoconParser(ImmutableArray<Token> tokens, string source, HoconIncludes includes, bool recordLines)
    {
        _tokens = tokens;
        _source = source;
        _includes = includes;
        _keyLines = recordLines ? new(StringComparer.Ordinal) : null;
    }

    /// <summary>One file's tree, not yet resolved, or the first syntax problem in it (as an exception).</summary>
    public static (ObjectNode Root, ImmutableDictionary<string, int> KeyLines) Parse(string text, string source, HoconIncludes includes, bool recordLines)
    {
        var (tokens, lexErrors) = HoconLexer.Tokenize(text);
        if (!lexErrors.IsEmpty) throw new HoconException(lexErrors.Select(e => SpecError.At(source, e.Line, e.Column, e.Message)));
        if (CheckBrackets(tokens) is { } bracket) throw new HoconException([SpecError.At(source, bracket.Line, bracket.Column, bracket.Message)]);
        var parser = new HoconParser(tokens, source, includes, recordLines);
        var root = parser.Document();
        return (root, parser._keyLines?.ToImmutableDictionary() ?? ImmutableDictionary<string, int>.Empty);
    }

    /// <summary>The first unbalanced or mismatched bracket, named at the bracket left open.</summary>
    private static SpecErrorAt? CheckBrackets(ImmutableArray<Token> tokens)
    {
        var open = new Stack<Token>();
        foreach (var t in tokens)
        {
            if (t.Kind is TokenKind.OpenBrace or TokenKind.OpenBracket)
            {
                open.Push(t);
                if (open.Count > MaxDepth) return new(t.Line, t.Column, $"nested deeper than {MaxDepth} levels");
            }
            else if (t.Kind is TokenKind.CloseBrace or TokenKind.CloseBracket)
            {
                var expected = t.Kind == TokenKind.CloseBrace ? TokenKind.OpenBrace : TokenKind.OpenBracket;
                if (open.Count == 0) return new(t.Line, t.Column, $"unexpected '{t.Value}': nothing is open here");
                var top = open.Pop();
                if (top.Kind != expected)
                    return new(top.Line, top.Column, $"unclosed '{top.Value}' (found '{t.Value}' at {t.Line}:{t.Column})");
            }
        }
        return open.Count == 0 ? null : open.Pop() is var last
            ? new SpecErrorAt(last.Line, last.Column, $"unclosed '{last.Value}' (reached the end of the file)")
            : null;
    }

    private Token Peek => _tokens[_next];
    private Token Take() => _tokens[_next++];
    private HoconException Fail(Token at, string message) => new([SpecError.At(_source, at.Line, at.Column, message)]);
    private SourcePosition At(Token t) => new(_source, t.Line, t.Column);

    private void SkipNewlines() { while (Peek.Kind == TokenKind.Newline) _next++; }

    private ObjectNode Document()
    {
        SkipNewlines();
        if (Peek.Kind != TokenKind.OpenBrace) return ObjectBody("", TokenKind.End);
        Take();
        var root = ObjectBody("", TokenKind.CloseBrace);
        Take();
        SkipNewlines();
        if (Peek.Kind != TokenKind.End) throw Fail(Peek, $"unexpected {Peek.Describe()} after the closing '}}' of the document");
        return root;
    }

    /// <summary>Fields up to (not including) the closing token.</summary>
    private ObjectNode ObjectBody(string path, TokenKind close)
    {
        var node = ObjectNode.Empty;
        SkipNewlines();
        while (Peek.Kind != close)
        {
            node = Field(path, node);
            if (Peek.Kind == TokenKind.Comma)
            {
                Take();
                SkipNewlines();
                if (Peek.Kind == TokenKind.Comma) throw Fail(Peek, "doubled ','");
            }
            else if (Peek.Kind == TokenKind.Newline) SkipNewlines();
            else if (Peek.Kind != close)
                throw Fail(Peek, $"expected ',' or a new line after a field, found {Peek.Describe()}");
        }
        return node;
    }

    private ObjectNode Field(string parent, ObjectNode node)
    {
        var first = Peek;
        if (first.Kind != TokenKind.Text) throw Fail(first, $"expected a key, found {first.Describe()}");
        if (!first.Quoted && first.Value == "include") return Include(node);
        var segments = new List<string>();
        var keyText = new List<string>();
        while (Peek.Kind == TokenKind.Text)
        {
            var t = Take();
            keyText.Add(t.Value);
            if (t.Quoted) segments.Add(t.Value);
            else
            {
                var parts = t.Value.Split('.');
                if (parts.Any(p => p.Length == 0)) throw Fail(t, $"key '{t.Value}' has an empty path segment");
                segments.AddRange(parts);
            }
        }
        var path = parent;
        foreach (var segment in segments)
        {
            path = path.Length == 0 ? segment : $"{path}.{segment}";
            _keyLines?.TryAdd(path, first.Line);
        }

        var after = Peek;
        HoconNode value;
        if (after.Kind == TokenKind.OpenBrace) value = Value(path, "after the key");
        else if (after.Kind != TokenKind.Separator)
            throw Fail(after, $"expected '=', ':' or '{{' after key '{string.Join(" ", keyText)}', found {after.Describe()}");
        else
        {
            Take();
            value = Value(path, $"after '{after.Value}'");
        }
        var resolvedSelf = SelfReference.Replace(value, path, Get(node, segments));
        return resolvedSelf is null ? node : Set(node, segments, resolvedSelf);
    }

    /// <summary><c>include "file"</c>: the file's fields, merged here as if written in its place.</summary>
    private ObjectNode Include(ObjectNode node)
    {
        var keyword = Take();
        if (Peek is not { Kind: TokenKind.Text, Quoted: true } file)
            throw Fail(Peek, "write include \"file.conf\": a quoted file name, relative to this file");
        Take();
        var included = _includes.Load(file.Value, _source, file.Line, file.Column);
        if (Peek.Kind is not (TokenKind.Newline or TokenKind.Comma or TokenKind.CloseBrace or TokenKind.End))
            throw Fail(Peek, $"unexpected {Peek.Describe()} after {keyword.Value} \"{file.Value}\"");
        return (ObjectNode)ObjectNode.Merge(node, included);
    }

    private static HoconNode? Get(ObjectNode node, List<string> segments)
    {
        HoconNode? current = node;
        foreach (var segment in segments) current = (current as ObjectNode)?.Get(segment);
        return current;
    }

    private static ObjectNode Set(ObjectNode node, List<string> segments, HoconNode value)
    {
        for (var i = segments.Count - 1; i > 0; i--) value = ObjectNode.Empty.Set(segments[i], value);
        return node.Set(segments[0], value);
    }

    /// <summary>
    /// One value: an object, an array, or text on one line (HOCON joins words with spaces). Parts
    /// side by side make a concatenation only when a substitution is among them.
    /// </summary>
    private HoconNode Value(string path, string context)
    {
        var start = Peek;
        var parts = new List<(HoconNode Node, Token At)>();
        while (Peek.Kind is TokenKind.Text or TokenKind.Substitution or TokenKind.OpenBrace or TokenKind.OpenBracket)
        {
            var at = Peek;
            if (parts.Count > 0 && !parts.Any(p => p.At.Kind == TokenKind.Substitution) && at.Kind != TokenKind.Substitution
                && (at.Kind != TokenKind.Text || parts[^1].At.Kind != TokenKind.Text))
                throw Fail(at, $"unexpected {at.Describe()} after a value (missing ',' or new line?)");
            parts.Add((Part(path), at));
        }
        if (parts.Count == 0) throw Fail(start, $"expected a value {context}, found {start.Describe()}");
        if (Peek.Kind == TokenKind.Separator) throw Fail(Peek, $"unexpected {Peek.Describe()} after a value (missing ',' or new line?)");
        if (parts.Count == 1) return parts[0].Node;
        if (parts.All(p => p.At.Kind == TokenKind.Text))
            return new ScalarNode(string.Join(" ", parts.Select(p => ((ScalarNode)p.Node).Text)));
        return new ConcatNode(parts.Select(p => p.Node).ToImmutableArray(), parts.Select(p => p.At.SpaceBefore).ToImmutableArray(), At(start));
    }

    private HoconNode Part(string path)
    {
        var t = Take();
        switch (t.Kind)
        {
            case TokenKind.OpenBrace:
                var obj = ObjectBody(path, TokenKind.CloseBrace);
                Take();
                return obj;
            case TokenKind.OpenBracket:
                var array = ArrayBody(path);
                Take();
                return array;
            case TokenKind.Substitution:
                return new SubstitutionNode(t.Value, t.Quoted, At(t));
            default:
                return t is { Quoted: false, Value: "null" } && Peek.Kind is not (TokenKind.Text or TokenKind.Substitution)
                    ? NullNode.Instance : new ScalarNode(t.Value);
        }
    }

    private ArrayNode ArrayBody(string path)
    {
        var items = ImmutableArray.CreateBuilder<HoconNode>();
        SkipNewlines();
        while (Peek.Kind != TokenKind.CloseBracket)
        {
            if (Peek.Kind == TokenKind.Comma) throw Fail(Peek, "empty array element (doubled or leading ',')");
            var elementPath = $"{path}[{items.Count}]";
            _keyLines?.TryAdd(elementPath, Peek.Line);
            items.Add(Value(elementPath, "in an array"));
            if (Peek.Kind == TokenKind.Comma)
            {
                Take();
                SkipNewlines();
                if (Peek.Kind == TokenKind.Comma) throw Fail(Peek, "empty array element (doubled ',')");
            }
            else if (Peek.Kind == TokenKind.Newline) SkipNewlines();
            else if (Peek.Kind != TokenKind.CloseBracket)
                throw Fail(Peek, $"expected ',', a new line or ']' in an array, found {Peek.Describe()}");
        }
        return new ArrayNode(items.ToImmutable());
    }
}

/// <summary>Problems that end the parse of a file (syntax, includes), already located.</summary>
internal sealed class HoconException(IEnumerable<SpecError> errors) : Exception(string.Join("; ", errors))
{
    public ImmutableArray<SpecError> Errors { get; } = errors.ToImmutableArray();
}

/// <summary>
/// <c>a = ${a} ...</c>: a substitution of the key being set means the key's earlier value (HOCON's
/// self-reference), so it is replaced while parsing, when that value is known.
/// </summary>
internal static class SelfReference
{
    /// <summary>The value with self-references replaced; null when nothing is left to set.</summary>
    public static HoconNode? Replace(HoconNode value, string path, HoconNode? earlier) => value switch
    {
        SubstitutionNode s when s.Path == path => earlier ?? (s.Optional ? null : s),
        ConcatNode c when c.Parts.Any(p => p is SubstitutionNode s && s.Path == path) => Rebuild(c, path, earlier),
        _ => value,
    };

    private static HoconNode? Rebuild(ConcatNode c, string path, HoconNode? earlier)
    {
        var parts = new List<(HoconNode, bool)>();
        for (var i = 0; i < c.Parts.Length; i++)
        {
            var part = c.Parts[i] is SubstitutionNode s && s.Path == path ? earlier ?? (s.Optional ? null : s) : c.Parts[i];
            if (part is not null) parts.Add((part, c.SpaceBefore[i]));
        }
        return parts.Count switch
        {
            0 => null,
            1 => parts[0].Item1,
            _ => c with { Parts = parts.Select(p => p.Item1).ToImmutableArray(), SpaceBefore = parts.Select(p => p.Item2).ToImmutableArray() },
        };
    }
}
