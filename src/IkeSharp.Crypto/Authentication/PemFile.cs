using System.Security.Cryptography;
using System.Text;

namespace IkeSharp.Crypto;

/// <summary>The RFC 7468 PEM blocks of a key or certificate file, decoded, with the file's name for error messages.</summary>
internal sealed class PemFile
{
    private PemFile(string path, byte[] contents, IReadOnlyList<(string Label, byte[] Der)> blocks)
    {
        Path = path;
        Contents = contents;
        Blocks = blocks;
    }

    public string Path { get; }

    /// <summary>The raw file, for callers that fall back to DER when there is no PEM block.</summary>
    public byte[] Contents { get; }

    public IReadOnlyList<(string Label, byte[] Der)> Blocks { get; }

    /// <exception cref="KeyLoadException">The file cannot be read.</exception>
    public static PemFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] contents;
        try
        {
            contents = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyLoadException($"{path}: cannot read the file ({e.Message}).", e);
        }

        var blocks = new List<(string, byte[])>();
        ReadOnlySpan<char> text = Encoding.ASCII.GetString(contents);
        while (PemEncoding.TryFind(text, out var fields))
        {
            blocks.Add((text[fields.Label].ToString(), Convert.FromBase64String(text[fields.Base64Data].ToString())));
            text = text[fields.Location.End..];
        }

        return new PemFile(path, contents, blocks);
    }

    /// <summary>The first block carrying one of <paramref name="labels"/>, or an error saying what the file holds instead.</summary>
    /// <exception cref="KeyLoadException">No block has any of the labels.</exception>
    public (string Label, byte[] Der) Find(string expected, params string[] labels)
    {
        foreach (var block in Blocks)
        {
            if (labels.Contains(block.Label))
            {
                return block;
            }
        }

        throw new KeyLoadException($"{Path}: expected {expected}, but found {DescribeContents()}.");
    }

    public string DescribeContents()
    {
        if (Blocks.Count > 0)
        {
            return "PEM blocks labelled " + string.Join(", ", Blocks.Select(b => b.Label));
        }

        // OpenSSL's legacy encrypted PEM puts RFC 1421 headers inside the block, which RFC 7468 readers skip.
        string text = Encoding.ASCII.GetString(Contents);
        if (text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            return "a passphrase-encrypted legacy PEM key, which is not supported (decrypt it with `openssl pkey -in FILE -out FILE`)";
        }

        return text.Contains("-----BEGIN ", StringComparison.Ordinal)
            ? "a malformed PEM block"
            : $"no PEM block ({Contents.Length} octets that are not PEM text)";
    }
}
