/**
 * The software the built-in fleet's hosts have installed: plain data, one list per source table,
 * each entry `name|version|identifier|vendor`. Names and versions are those the products ship as
 * (macOS bundle names and CFBundleShortVersionString, Windows "Programs and Features" display names,
 * Debian / Red Hat package names). scenarios/fleets/software-rows.ts turns them into osquery rows,
 * picking a stable subset per group. Edit the lists to change what the fleet reports.
 */

/** macOS apps every Mac has (/System/Applications, reported by osquery's `apps`). */
export const MAC_SYSTEM_APPS = `
App Store|3.0|com.apple.AppStore|Apple
Automator|2.10|com.apple.Automator|Apple
Books|6.6|com.apple.iBooksX|Apple
Calculator|11.0|com.apple.calculator|Apple
Calendar|14.0|com.apple.iCal|Apple
Chess|3.18|com.apple.Chess|Apple
Clock|1.0|com.apple.clock|Apple
Contacts|14.0|com.apple.AddressBook|Apple
Dictionary|2.3.0|com.apple.Dictionary|Apple
FaceTime|5.0|com.apple.FaceTime|Apple
Find My|4.0|com.apple.findmy|Apple
Font Book|11.0|com.apple.FontBook|Apple
Freeform|3.0|com.apple.freeform|Apple
Home|8.0|com.apple.Home|Apple
Image Capture|8.0|com.apple.Image_Capture|Apple
Launchpad|1.0|com.apple.launchpad.launcher|Apple
Mail|16.0|com.apple.mail|Apple
Maps|3.0|com.apple.Maps|Apple
Messages|14.0|com.apple.MobileSMS|Apple
Mission Control|1.2|com.apple.exposelauncher|Apple
Music|1.4.5|com.apple.Music|Apple
News|10.4|com.apple.news|Apple
Notes|4.11|com.apple.Notes|Apple
Photo Booth|13.1|com.apple.PhotoBooth|Apple
Photos|9.0|com.apple.Photos|Apple
Podcasts|1.1.0|com.apple.podcasts|Apple
Preview|11.0|com.apple.Preview|Apple
QuickTime Player|10.5|com.apple.QuickTimePlayerX|Apple
Reminders|7.0|com.apple.reminders|Apple
Shortcuts|7.0|com.apple.shortcuts|Apple
Siri|1.0|com.apple.Siri|Apple
Stickies|10.3|com.apple.Stickies|Apple
Stocks|7.1|com.apple.stocks|Apple
System Settings|15.0|com.apple.systempreferences|Apple
TextEdit|1.19|com.apple.TextEdit|Apple
Time Machine|1.3|com.apple.backup.launcher|Apple
TV|1.4.5|com.apple.TV|Apple
Voice Memos|3.1|com.apple.VoiceMemos|Apple
Weather|5.0|com.apple.weather|Apple
Activity Monitor|10.14|com.apple.ActivityMonitor|Apple
AirPort Utility|6.3.9|com.apple.airport.airportutility|Apple
Audio MIDI Setup|3.6|com.apple.audio.AudioMIDISetup|Apple
Bluetooth File Exchange|9.0|com.apple.BluetoothFileExchange|Apple
Boot Camp Assistant|6.1.0|com.apple.bootcampassistant|Apple
ColorSync Utility|12.1.0|com.apple.ColorSyncUtility|Apple
Console|1.1|com.apple.Console|Apple
Digital Color Meter|5.24|com.apple.DigitalColorMeter|Apple
Disk Utility|22.6|com.apple.DiskUtility|Apple
Grapher|2.7|com.apple.grapher|Apple
Keychain Access|11.0|com.apple.keychainaccess|Apple
Migration Assistant|15|com.apple.MigrateAssistant|Apple
Screenshot|1.0|com.apple.Screenshot|Apple
Script Editor|2.11|com.apple.ScriptEditor2|Apple
System Information|11.0|com.apple.SystemProfiler|Apple
Terminal|2.14|com.apple.Terminal|Apple
VoiceOver Utility|10|com.apple.VoiceOverUtility|Apple
`;

/** Third-party macOS apps (/Applications) a company Mac may have. */
export const MAC_APPS = `
1Password|8.10.48|com.1password.1password|AgileBits
Adobe Acrobat Reader|24.004.20220|com.adobe.Reader|Adobe
Adobe Creative Cloud|6.4.0.361|com.adobe.acc.AdobeCreativeCloud|Adobe
Adobe Photoshop 2025|26.1.0|com.adobe.Photoshop|Adobe
Alfred 5|5.5.1|com.runningwithcrayons.Alfred|Running with Crayons
Android Studio|2024.2|com.google.android.studio|Google
Arc|1.69.0|company.thebrowser.Browser|The Browser Company
Asana|2.3.0|com.electron.asana|Asana
Brave Browser|1.73.91|com.brave.Browser|Brave
Calendly|1.2.0|com.calendly.desktop|Calendly
ChatGPT|1.2024.326|com.openai.chat|OpenAI
Cisco Secure Client|5.1.6.103|com.cisco.secureclient.gui|Cisco
ClickUp|3.5.62|com.clickup.desktop-app|ClickUp
Cursor|0.43.5|com.todesktop.230313mzl4w4u92|Anysphere
Discord|0.0.325|com.hnc.Discord|Discord
Docker|4.36.0|com.docker.docker|Docker
Dropbox|213.4.6105|com.getdropbox.dropbox|Dropbox
Figma|124.6.5|com.figma.Desktop|Figma
Firefox|133.0|org.mozilla.firefox|Mozilla
GitHub Desktop|3.4.9|com.github.GitHubClient|GitHub
Google Drive|101.0.3|com.google.drivefs|Google
Grammarly Desktop|1.95.0|com.grammarly.ProjectLlama|Grammarly
iTerm|3.5.10|com.googlecode.iterm2|George Nachman
IntelliJ IDEA|2024.3|com.jetbrains.intellij|JetBrains
Keynote|14.2|com.apple.iWork.Keynote|Apple
Linear|1.27.4|com.linear|Linear
Loom|0.259.1|com.loom.desktop|Loom
Microsoft Edge|131.0.2903.70|com.microsoft.edgemac|Microsoft
Microsoft Excel|16.91|com.microsoft.Excel|Microsoft
Microsoft OneNote|16.91|com.microsoft.onenote.mac|Microsoft
Microsoft Outlook|16.91|com.microsoft.Outlook|Microsoft
Microsoft PowerPoint|16.91|com.microsoft.Powerpoint|Microsoft
Microsoft Teams|24295.606.3238|com.microsoft.teams2|Microsoft
Microsoft Word|16.91|com.microsoft.Word|Microsoft
Miro|0.8.70|com.electron.realtimeboard|Miro
Notion|4.1.2|notion.id|Notion Labs
Numbers|14.2|com.apple.iWork.Numbers|Apple
OneDrive|24.211.1020|com.microsoft.OneDrive|Microsoft
Pages|14.2|com.apple.iWork.Pages|Apple
Postman|11.20.0|com.postmanlabs.mac|Postman
PyCharm|2024.3|com.jetbrains.pycharm|JetBrains
Raycast|1.86.1|com.raycast.macos|Raycast
Rectangle|0.85|com.knollsoft.Rectangle|Ryan Hanson
Signal|7.35.0|org.whispersystems.signal-desktop|Signal
Spotify|1.2.52.442|com.spotify.client|Spotify
Sublime Text|4180|com.sublimetext.4|Sublime HQ
Tableau Desktop|2024.3|com.tableausoftware.tableaudesktop|Tableau
Tailscale|1.76.6|io.tailscale.ipn.macsys|Tailscale
TablePlus|6.2.1|com.tinyapp.TablePlus|TablePlus
The Unarchiver|4.3.8|com.macpaw.site.theunarchiver|MacPaw
Visual Studio Code|1.95.3|com.microsoft.VSCode|Microsoft
VLC|3.0.21|org.videolan.vlc|VideoLAN
Webex|44.11.0|Cisco-Systems.Spark|Cisco
WhatsApp|24.23.78|net.whatsapp.WhatsApp|WhatsApp
Xcode|16.1|com.apple.dt.Xcode|Apple
Fleet Desktop|1.36.0|com.fleetdm.desktop|Fleet
`;

/** Homebrew formulae (`homebrew_packages`) of developer Macs. */
export const HOMEBREW = `
awscli|2.22.8 azure-cli|2.67.0 bat|0.24.0 ca-certificates|2024-11-26 cmake|3.31.1 coreutils|9.5 curl|8.11.0 fd|10.2.0
ffmpeg|7.1 fzf|0.56.3 gettext|0.22.5 gh|2.63.0 git|2.47.1 gnupg|2.4.6 go|1.23.3 gradle|8.11.1 helm|3.16.3 htop|3.3.0
icu4c|76.1 jq|1.7.1 k9s|0.32.7 kubernetes-cli|1.31.3 libyaml|0.2.5 lua|5.4.7 mysql-client|9.1.0 neovim|0.10.2 nmap|7.95
node|23.3.0 openjdk|23.0.1 openssl@3|3.4.0 pcre2|10.44 pnpm|9.14.4 postgresql@16|16.6 pyenv|2.4.22 python@3.12|3.12.8
python@3.13|3.13.1 readline|8.2.13 redis|7.4.1 ripgrep|14.1.1 rust|1.83.0 sqlite|3.47.1 terraform|1.5.7 tmux|3.5a
tree|2.2.1 watch|4.0.5 wget|1.25.0 xz|5.6.3 yarn|1.22.22 zlib|1.3.1 zsh|5.9
`;

/** Windows programs (`programs`): display name, version, publisher. */
export const WINDOWS_PROGRAMS = `
7-Zip 24.08 (x64)|24.08|Igor Pavlov
Adobe Acrobat (64-bit)|24.004.20272|Adobe
Cisco Secure Client - AnyConnect VPN|5.1.6.103|Cisco Systems, Inc.
Dell Command | Update|5.4.0|Dell Inc.
Dell Optimizer|5.0.1103.0|Dell Inc.
Dell SupportAssist|4.5.3.24109|Dell Inc.
Fleet osquery|1.36.0|Fleet Device Management (fleetdm.com)
Git|2.47.1|The Git Development Community
Google Chrome|131.0.6778.86|Google LLC
Google Drive|101.0.3.0|Google LLC
Intel(R) Chipset Device Software|10.1.19444.8378|Intel(R) Corporation
Intel(R) Graphics Driver|31.0.101.5590|Intel Corporation
Intel(R) Management Engine Components|2341.5.31.0|Intel Corporation
Intel(R) Serial IO|30.100.2237.26|Intel Corporation
Intel(R) Wireless Bluetooth(R)|23.60.0.1|Intel Corporation
Java 8 Update 431 (64-bit)|8.0.4310.10|Oracle Corporation
Microsoft .NET Runtime - 6.0.36 (x64)|6.0.36.34217|Microsoft Corporation
Microsoft .NET Runtime - 8.0.11 (x64)|8.0.11.34221|Microsoft Corporation
Microsoft .NET Framework 4.8.1 Targeting Pack|4.8.09032|Microsoft Corporation
Microsoft 365 Apps for enterprise - en-us|16.0.17928.20216|Microsoft Corporation
Microsoft Edge|131.0.2903.70|Microsoft Corporation
Microsoft Edge WebView2 Runtime|131.0.2903.70|Microsoft Corporation
Microsoft OneDrive|24.211.1020.0001|Microsoft Corporation
Microsoft Teams Meeting Add-in for Microsoft Office|1.24.25402|Microsoft
Microsoft Update Health Tools|5.72.0.0|Microsoft Corporation
Microsoft Visual C++ 2010  x64 Redistributable - 10.0.40219|10.0.40219|Microsoft Corporation
Microsoft Visual C++ 2010  x86 Redistributable - 10.0.40219|10.0.40219|Microsoft Corporation
Microsoft Visual C++ 2012 Redistributable (x64) - 11.0.61030|11.0.61030.0|Microsoft Corporation
Microsoft Visual C++ 2012 Redistributable (x86) - 11.0.61030|11.0.61030.0|Microsoft Corporation
Microsoft Visual C++ 2013 Redistributable (x64) - 12.0.40664|12.0.40664.0|Microsoft Corporation
Microsoft Visual C++ 2013 Redistributable (x86) - 12.0.40664|12.0.40664.0|Microsoft Corporation
Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.42.34433|14.42.34433.0|Microsoft Corporation
Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.42.34433|14.42.34433.0|Microsoft Corporation
Microsoft Visual C++ 2022 X64 Additional Runtime - 14.42.34433|14.42.34433|Microsoft Corporation
Microsoft Visual C++ 2022 X64 Minimum Runtime - 14.42.34433|14.42.34433|Microsoft Corporation
Microsoft Visual C++ 2022 X86 Additional Runtime - 14.42.34433|14.42.34433|Microsoft Corporation
Microsoft Visual C++ 2022 X86 Minimum Runtime - 14.42.34433|14.42.34433|Microsoft Corporation
Microsoft Visual Studio Code|1.95.3|Microsoft Corporation
Microsoft Windows Desktop Runtime - 8.0.11 (x64)|8.0.11.34221|Microsoft Corporation
Mozilla Firefox (x64 en-US)|133.0|Mozilla
Mozilla Maintenance Service|133.0|Mozilla
Notepad++ (64-bit x64)|8.7.1|Notepad++ Team
Office 16 Click-to-Run Extensibility Component|16.0.17928.20216|Microsoft Corporation
Office 16 Click-to-Run Licensing Component|16.0.17928.20216|Microsoft Corporation
PowerShell 7-x64|7.4.6.0|Microsoft Corporation
Python 3.12.8 (64-bit)|3.12.8150.0|Python Software Foundation
Python Launcher|3.12.8150.0|Python Software Foundation
Realtek Audio Driver|6.0.9549.1|Realtek Semiconductor Corp.
Slack (Machine - MSI)|4.41.97|Slack Technologies Inc.
Teams Machine-Wide Installer|1.7.0.19352|Microsoft Corporation
Update for Windows 10 for x64-based Systems (KB5001716)|8.94.0.0|Microsoft Corporation
VLC media player|3.0.21|VideoLAN
Windows PC Health Check|3.7.2204.15001|Microsoft Corporation
Windows SDK AddOn|10.1.0.0|Microsoft Corporation
WinRAR 7.01 (64-bit)|7.01.0|win.rar GmbH
Zoom Workplace (64-bit)|6.2.11.53357|Zoom Video Communications, Inc.
Wireshark 4.4.2 x64|4.4.2|The Wireshark developer community
PuTTY release 0.82 (64-bit)|0.82.0.0|Simon Tatham
Citrix Workspace 2409|24.9.0.133|Citrix Systems, Inc.
CrowdStrike Windows Sensor|7.19.18913.0|CrowdStrike, Inc.
Lenovo Vantage Service|4.1.58.0|Lenovo Group Ltd.
HP Wolf Security|4.6.11.229|HP Inc.
Docker Desktop|4.36.0|Docker Inc.
Node.js|22.12.0|Node.js Foundation
Postman x64 11.20.0|11.20.0|Postman
WinSCP 6.3.6|6.3.6|Martin Prikryl
Greenshot 1.2.10.6|1.2.10.6|Greenshot
Microsoft SQL Server Management Studio - 20.2|20.2.30.0|Microsoft Corporation
Microsoft ODBC Driver 18 for SQL Server|18.4.1.1|Microsoft Corporation
Microsoft GameInput|10.1.26100.3036|Microsoft Corporation
Windows Subsystem for Linux|2.3.26.0|Microsoft Corporation
`;

/** Debian / Ubuntu packages (`deb_packages`): name, section. Versions come from software-rows.ts. */
export const DEB_PACKAGES = `
adduser apparmor apt apt-utils base-files base-passwd bash bash-completion bind9-host bsdutils busybox bzip2 ca-certificates
cloud-init console-setup coreutils cpio cron cryptsetup curl dash dbus debconf debianutils diffutils dirmngr distro-info-data
dmidecode dmsetup dosfstools dpkg e2fsprogs eject ethtool fdisk file findutils fonts-ubuntu friendly-recovery fuse3 gawk gcc-12-base
gdisk gettext-base git git-man gnupg gpg gpg-agent gpgv grep groff-base grub-common grub-efi-amd64-bin grub-pc gzip hdparm hostname
htop info init init-system-helpers iproute2 iptables iputils-ping irqbalance isc-dhcp-client jq kbd keyboard-configuration kmod
krb5-locales less libacl1 libapparmor1 libapt-pkg6.0 libattr1 libaudit1 libblkid1 libbz2-1.0 libc-bin libc6 libcap-ng0 libcap2
libcom-err2 libcrypt1 libcryptsetup12 libcurl3-gnutls libcurl4 libdb5.3 libdbus-1-3 libdevmapper1.02.1 libedit2 libelf1 libexpat1
libext2fs2 libfdisk1 libffi8 libgcc-s1 libgcrypt20 libglib2.0-0 libgmp10 libgnutls30 libgpg-error0 libgssapi-krb5-2 libhogweed6
libidn2-0 libjson-c5 libk5crypto3 libkeyutils1 libkmod2 libkrb5-3 libkrb5support0 libldap-2.5-0 liblz4-1 liblzma5 libmd0 libmount1
libncurses6 libncursesw6 libnettle8 libnghttp2-14 libnss3 libp11-kit0 libpam-modules libpam-modules-bin libpam-runtime libpam0g
libpcre2-8-0 libpcre3 libprocps8 libpsl5 libpython3.10 libpython3.10-minimal libpython3.10-stdlib libreadline8 librtmp1 libsasl2-2
libseccomp2 libselinux1 libsemanage2 libsepol2 libsmartcols1 libsqlite3-0 libss2 libssh-4 libssl3 libstdc++6 libsystemd0 libtasn1-6
libtinfo6 libudev1 libunistring2 libuuid1 libxml2 libxtables12 libzstd1 locales login logrotate lsb-base lsb-release lsof lvm2 man-db
mawk mdadm mount nano ncurses-base ncurses-bin net-tools netbase netcat-openbsd netplan.io networkd-dispatcher ntfs-3g open-iscsi
openssh-client openssh-server openssh-sftp-server openssl osquery parted passwd pciutils perl perl-base perl-modules-5.34 pinentry-curses
plymouth policykit-1 procps psmisc publicsuffix python3 python3-apt python3-certifi python3-cryptography python3-dbus python3-distro
python3-gi python3-jinja2 python3-jsonschema python3-jwt python3-minimal python3-netifaces python3-oauthlib python3-pkg-resources
python3-requests python3-serial python3-six python3-urllib3 python3-yaml python3.10 python3.10-minimal readline-common rsync
rsyslog sed sensible-utils shared-mime-info snapd sosreport squashfs-tools strace sudo systemd systemd-sysv systemd-timesyncd
sysvinit-utils tar tcpdump time tmux tzdata ubuntu-advantage-tools ubuntu-keyring ubuntu-minimal ubuntu-release-upgrader-core
ucf udev ufw unattended-upgrades unzip update-notifier-common usbutils util-linux uuid-runtime vim vim-common vim-runtime vim-tiny
wget whiptail xauth xdg-user-dirs xfsprogs xkb-data xxd xz-utils zerofree zlib1g zstd chrony fail2ban nginx docker-ce
docker-ce-cli containerd.io postgresql-client-14 mysql-client-8.0 nodejs python3-pip python3-venv build-essential gcc g++ make
linux-image-generic linux-headers-generic linux-firmware amd64-microcode intel-microcode thermald fwupd
`;

/** Red Hat packages (`rpm_packages`). Versions come from software-rows.ts. */
export const RPM_PACKAGES = `
NetworkManager NetworkManager-libnm acl audit-libs authselect authselect-libs basesystem bash bind-export-libs binutils bzip2-libs
c-ares ca-certificates chkconfig chrony coreutils coreutils-common cpio cracklib cracklib-dicts cronie cronie-anacron crontabs
crypto-policies cryptsetup-libs curl cyrus-sasl-lib dbus dbus-common dbus-daemon dbus-libs dbus-tools device-mapper device-mapper-libs
dhcp-client dhcp-common dhcp-libs diffutils dmidecode dnf dnf-data dnf-plugins-core dracut e2fsprogs e2fsprogs-libs elfutils-libelf
elfutils-libs ethtool expat file file-libs filesystem findutils firewalld firewalld-filesystem freetype gawk gdbm gdbm-libs gettext
gettext-libs glib2 glibc glibc-common glibc-langpack-en gmp gnupg2 gnutls gpgme grep groff-base grub2-common grub2-pc grub2-tools
grubby gzip hardlink hostname hwdata info initscripts iproute iptables-libs iputils json-c kbd kernel kernel-core kernel-modules
kernel-tools keyutils-libs kmod kmod-libs kpartx krb5-libs less libacl libarchive libattr libblkid libcap libcap-ng libcom_err
libcurl libdb libdb-utils libdnf libffi libgcc libgcrypt libgpg-error libidn2 libksba libmodulemd libmount libnghttp2 libnl3
libpsl libpwquality librepo libreport-filesystem libseccomp libselinux libselinux-utils libsemanage libsepol libsigsegv libsmartcols
libsolv libss libssh libstdc++ libtasn1 libunistring libusbx libuser libutempter libuuid libverto libxcrypt libxml2 libyaml libzstd
logrotate lshw lsof lua-libs lvm2 lz4-libs lzo man-db mpfr ncurses ncurses-base ncurses-libs nettle newt npth nspr nss nss-util
numactl-libs openldap openssh openssh-clients openssh-server openssl openssl-libs os-prober p11-kit p11-kit-trust pam parted passwd
pciutils-libs pcre pcre2 pinentry platform-python policycoreutils polkit polkit-libs popt procps-ng python3-dnf python3-libs
python3-pip-wheel python3-rpm python3-setuptools-wheel readline rootfiles rpm rpm-libs rsyslog sed selinux-policy
selinux-policy-targeted setup shadow-utils shared-mime-info sqlite-libs sudo systemd systemd-libs systemd-pam systemd-udev tar
tpm2-tss trousers tuned tzdata util-linux vim-minimal which xfsprogs xz xz-libs yum zlib insights-client subscription-manager
rhc podman container-selinux osquery tcpdump wget git perl-interpreter
`;

/** More Windows programs: runtimes, SDK parts and drivers most corporate images carry. */
export const WINDOWS_COMPONENTS = `
Microsoft Windows Desktop Runtime - 6.0.36 (x64)|6.0.36.34217|Microsoft Corporation
Microsoft ASP.NET Core 8.0.11 - Shared Framework (x64)|8.0.11.24521|Microsoft Corporation
Microsoft ASP.NET Core 6.0.36 - Shared Framework (x64)|6.0.36.24516|Microsoft Corporation
Microsoft .NET Host - 8.0.11 (x64)|64.44.23553|Microsoft Corporation
Microsoft .NET Host FX Resolver - 8.0.11 (x64)|64.44.23553|Microsoft Corporation
Microsoft Visual C++ 2008 Redistributable - x64 9.0.30729.6161|9.0.30729.6161|Microsoft Corporation
Microsoft Visual C++ 2008 Redistributable - x86 9.0.30729.6161|9.0.30729.6161|Microsoft Corporation
Microsoft Visual C++ 2005 Redistributable (x64)|8.0.61000|Microsoft Corporation
Microsoft Access database engine 2016 (English)|16.0.5044.1000|Microsoft Corporation
Microsoft Policy Platform|68.1.1010.0|Microsoft Corporation
Microsoft Intune Management Extension|1.83.107.0|Microsoft Corporation
Microsoft Search in Bing|2.0.2|Microsoft Corporation
Microsoft Teams classic|1.7.00.33761|Microsoft Corporation
Microsoft Power BI Desktop (x64)|2.138.1203.0|Microsoft Corporation
Microsoft Azure CLI (64-bit)|2.67.0|Microsoft Corporation
Microsoft Visual Studio Installer|3.12.2149.20818|Microsoft Corporation
Microsoft Web Deploy 4.0|10.0.8316|Microsoft Corporation
Microsoft System CLR Types for SQL Server 2019|15.0.2000.5|Microsoft Corporation
Microsoft OLE DB Driver for SQL Server|18.7.4.0|Microsoft Corporation
Windows Driver Package - Intel (iaStorVD) SCSIAdapter|19.5.0.1037|Intel Corporation
Windows Driver Package - Dell Inc. (DDDriver) System|1.0.0.12|Dell Inc.
Windows Driver Package - Realtek Semiconductor Corp. (RTSUER) USB|10.0.22000.21355|Realtek Semiconductor Corp.
Windows Driver Package - Synaptics (SynTP) Mouse|19.5.35.1|Synaptics Incorporated
Intel(R) Rapid Storage Technology|19.5.0.1037|Intel Corporation
Intel(R) Dynamic Tuning Technology|9.0.11404.39451|Intel Corporation
Intel(R) Optane(TM) Memory and Storage Management Component|19.5.0.1037|Intel Corporation
Intel(R) Killer(TM) Performance Suite|4.0.1052.0|Rivet Networks
Intel(R) PROSet/Wireless Software|23.60.0|Intel Corporation
NVIDIA Graphics Driver 552.22|552.22|NVIDIA Corporation
NVIDIA HD Audio Driver 1.4.0.1|1.4.0.1|NVIDIA Corporation
NVIDIA PhysX System Software 9.23.1019|9.23.1019|NVIDIA Corporation
Realtek USB Audio|6.3.9600.2338|Realtek Semiconductor Corp.
Thunderbolt(TM) Software|17.4.79.525|Intel Corporation
DisplayLink Graphics|11.4.9747.0|DisplayLink Corp.
Dell Peripheral Manager|1.7.7|Dell Inc.
Dell Power Manager Service|3.15.0|Dell Inc.
Dell Digital Delivery Services|5.2.1.0|Dell Inc.
Dell Trusted Device Agent|5.4.0.10|Dell Inc.
Dell SupportAssist OS Recovery Plugin for Dell Update|5.5.12.17997|Dell Inc.
Dell Pair|1.3.1.0|Dell Inc.
Poly Lens|1.3.5.0|HP Inc.
Logitech Options+|1.83.610838|Logitech
Logi Tune|3.8.340|Logitech
Jabra Direct|6.17.21901|GN Audio A/S
Google Update Helper|1.3.36.352|Google LLC
Adobe Refresh Manager|1.8.0|Adobe Systems Incorporated
Adobe Genuine Service|8.4.0.39|Adobe Inc.
Java Auto Updater|2.8.431.10|Oracle Corporation
Windows Software Development Kit - Windows 10.0.22621.3233|10.1.22621.3233|Microsoft Corporation
Universal CRT Redistributable|10.1.22621.3233|Microsoft Corporation
Windows App Certification Kit Native Components|10.1.22621.3233|Microsoft Corporation
vs_CoreEditorFonts|17.7.40001|Microsoft Corporation
Microsoft Update Health Tools (KB4023057)|3.74.0.0|Microsoft Corporation
MSI Development Tools|10.1.22621.3233|Microsoft Corporation
Kits Configuration Installer|10.1.22621.3233|Microsoft Corporation
`;

/** Python packages (`python_packages`) of the system or user Python on any platform. */
export const PYTHON_PACKAGES = `
pip|24.3.1 setuptools|75.6.0 wheel|0.45.1 certifi|2024.8.30 charset-normalizer|3.4.0 idna|3.10 requests|2.32.3 urllib3|2.2.3
six|1.16.0 packaging|24.2 pyparsing|3.2.0 python-dateutil|2.9.0.post0 pytz|2024.2 PyYAML|6.0.2 Jinja2|3.1.4 MarkupSafe|3.0.2
click|8.1.7 attrs|24.2.0 cryptography|44.0.0 cffi|1.17.1 pycparser|2.22 jsonschema|4.23.0 rpds-py|0.22.3 referencing|0.35.1
boto3|1.35.76 botocore|1.35.76 s3transfer|0.10.4 jmespath|1.0.1 numpy|2.1.3 pandas|2.2.3 tzdata|2024.2 pyOpenSSL|24.3.0
distro|1.9.0 chardet|5.2.0 rich|13.9.4 pygments|2.18.0 markdown-it-py|3.0.0 mdurl|0.1.2 typing_extensions|4.12.2 filelock|3.16.1
platformdirs|4.3.6 virtualenv|20.28.0 distlib|0.3.9 tomli|2.2.1 pluggy|1.5.0 pytest|8.3.4 iniconfig|2.0.0 docutils|0.21.2
`;
