// Tests of the Linux command-line tool.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
