"""The one list of needs a referral can give as its reasons.

Drawn from the needs NHS England's social prescribing guidance and the PRSB Social Prescribing
Information Standard name as reasons for referral; matching and reporting use these codes.
"""

from django.db import models


class Need(models.TextChoices):
    LONELINESS = "loneliness", "Loneliness and isolation"
    MENTAL_WELLBEING = "mental_wellbeing", "Mental wellbeing"
    PHYSICAL_ACTIVITY = "physical_activity", "Physical activity"
    MONEY = "money", "Money and debt"
    HOUSING = "housing", "Housing"
    FOOD = "food", "Food"
    FUEL = "fuel", "Fuel and energy"
    WORK = "work", "Work, training and skills"
    CARERS = "carers", "Support for carers"
    BEREAVEMENT = "bereavement", "Bereavement"
    LONG_TERM_CONDITION = "long_term_condition", "Managing a long-term condition"
    WEIGHT_AND_DIET = "weight_and_diet", "Weight and healthy eating"
    SUBSTANCE_USE = "substance_use", "Alcohol, smoking or drugs"
    DIGITAL = "digital", "Getting online"
    TRANSPORT = "transport", "Transport and getting about"
    LEGAL = "legal", "Legal, benefits and immigration advice"
    OTHER = "other", "Other"
