using System.Runtime.Serialization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Experiments.Actors.Serialization;

/// <summary>
/// Which messages have a wire form, and what it is: each message type has one manifest
/// ("sweep-started/1": a name and a version) and a contract, a plain record that System.Text.Json
/// writes and reads. The bytes hold only the contract's fields, never a CLR type name; reading
/// picks the contract by the manifest stored beside the bytes, so nothing on the wire chooses a
/// type. Older versions of a message stay readable as read-only entries that convert to today's type.
/// </summary>
public sealed class ContractTable
{
    /// <summary>
    /// Every contract is read and written with these: exact doubles (shortest round-trip form; NaN
    /// and ±∞ as the strings "NaN", "Infinity", "-Infinity"), every field present (null only where nullable),
    /// no unknown fields; text escaped only where JSON needs it (the bytes are never put in HTML).
    /// </summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private sealed record Entry(string Manifest, Type Type, Func<object, byte[]>? Write, Func<byte[], object> Read);

    private readonly string _name;
    private readonly Dictionary<Type, Entry> _writers = new();
    private readonly Dictionary<string, Entry> _readers = new(StringComparer.Ordinal);

    /// <param name="name">What these messages are, for error messages ("journal").</param>
    public ContractTable(string name) => _name = name;

    /// <summary>Today's form of <typeparamref name="TMessage"/>: written under <paramref name="manifest"/>, and read from it.</summary>
    public ContractTable Add<TMessage, TContract>(string manifest, Func<TMessage, TContract> toContract, Func<TContract, TMessage> fromContract)
        where TMessage : notnull where TContract : notnull
    {
        var entry = new Entry(manifest, typeof(TMessage),
            message => JsonSerializer.SerializeToUtf8Bytes(toContract((TMessage)message), Options),
            bytes => fromContract(Deserialize<TContract>(manifest, bytes)));
        if (!_writers.TryAdd(typeof(TMessage), entry)) throw new ArgumentException($"{_name}: {typeof(TMessage).Name} has two current manifests");
        return AddReader(entry);
    }

    /// <summary>
    /// Today's form of <typeparamref name="TMessage"/> in a binary layout of its own, for messages
    /// that are mostly raw bytes (a file's chunk: base64 in JSON would cost a third more bytes and a
    /// pass over them at both ends). <paramref name="read"/> throws <see cref="SerializationException"/>
    /// (or <see cref="EndOfStreamException"/>, <see cref="FormatException"/>) for bytes that are not one.
    /// </summary>
    public ContractTable AddBinary<TMessage>(string manifest, Func<TMessage, byte[]> write, Func<byte[], TMessage> read) where TMessage : notnull
    {
        var entry = new Entry(manifest, typeof(TMessage), message => write((TMessage)message), bytes => ReadBinary(manifest, bytes, read));
        if (!_writers.TryAdd(typeof(TMessage), entry)) throw new ArgumentException($"{_name}: {typeof(TMessage).Name} has two current manifests");
        return AddReader(entry);
    }

    private object ReadBinary<TMessage>(string manifest, byte[] bytes, Func<byte[], TMessage> read) where TMessage : notnull
    {
        try
        {
            return read(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException or ArgumentException)
        {
            throw new SerializationException($"{_name}: cannot read a '{manifest}': {e.Message}", e);
        }
    }

    /// <summary>An older form, only read: converted to today's type.</summary>
    public ContractTable AddReadOnly<TMessage, TContract>(string manifest, Func<TContract, TMessage> fromContract)
        where TMessage : notnull where TContract : notnull =>
        AddReader(new Entry(manifest, typeof(TMessage), null, bytes => fromContract(Deserialize<TContract>(manifest, bytes))));

    private ContractTable AddReader(Entry entry)
    {
        if (!_readers.TryAdd(entry.Manifest, entry)) throw new ArgumentException($"{_name}: manifest '{entry.Manifest}' is listed twice");
        return this;
    }

    public IReadOnlyCollection<Type> WrittenTypes => _writers.Keys;
    public IReadOnlyCollection<string> Manifests => _readers.Keys;

    public bool CanWrite(Type type) => _writers.ContainsKey(type);

    public string ManifestOf(object message) => WriterOf(message).Manifest;

    public byte[] Write(object message) => WriterOf(message).Write!(message);

    public object Read(string manifest, ReadOnlySpan<byte> bytes)
    {
        if (!_readers.TryGetValue(manifest, out var entry))
            throw new SerializationException(
                $"{_name}: unknown manifest '{manifest}' (this version reads {string.Join(", ", _readers.Keys.Order(StringComparer.Ordinal))}); was it written by a newer version?");
        return entry.Read(bytes.ToArray());
    }

    private Entry WriterOf(object message) =>
        _writers.TryGetValue(message.GetType(), out var entry)
            ? entry
            : throw new SerializationException($"{_name}: {message.GetType().FullName} has no contract; add it to the table");

    private T Deserialize<T>(string manifest, byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Options) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"{_name}: cannot read a '{manifest}': {e.Message}", e);
        }
    }
}
