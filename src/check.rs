//! Running the analysis over files and directories.
