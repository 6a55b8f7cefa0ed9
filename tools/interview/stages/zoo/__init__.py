"""Wrong engines, one bug each: every file names the stage whose tests must reject it
(``STAGE``). Each is the stage solution with one plausible mistake patched in."""
